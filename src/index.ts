export * from './http-proxy-api';
