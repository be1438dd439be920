export * from './scheduled-invoker';
export * from './invoker-schedule';
export * from './invoker-request';
export * from './request-retry';
export * from './response-sink';
export * from './time-budget';
