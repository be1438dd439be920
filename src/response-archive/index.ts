export * from './response-archive';
export * from './change-detection';
