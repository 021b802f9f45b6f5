export * from './telemetry';
export * from './trace-context';
export * from './logger';
export * from './config';
export * from './network-errors';
