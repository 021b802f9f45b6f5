export * from './action-handler';
export * from './action-registry';
export * from './templates';
