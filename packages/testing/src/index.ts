export * from './eventually';
export * from './infrastructure';
export * from './test-database';
export * from './event-collector';
export * from './platform-process';
export * from './with-context';
export * from './api-client';
export * from './repo-root';
