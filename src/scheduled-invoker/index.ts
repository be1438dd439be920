export * from './scheduled-invoker';
export * from './scheduled-invoker-props';
export * from './invoker-schedule';
export * from './invoker-request';
export * from './request-retry';
export * from './response-sink';
export * from './time-budget';
export * from './invoker-layout';
