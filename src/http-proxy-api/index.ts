export * from './http-proxy-api';
export * from './http-proxy-api-props';
export * from './http-proxy-target';
export * from './target-options';
export * from './header-secret';
export * from './private-api-access';
export * from './throttle';
