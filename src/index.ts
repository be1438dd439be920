export * from './http-proxy-api';
export * from './scheduled-invoker';
export * from './response-archive';
export * from './private-vpc-egress';
