export * from './names';
export * from './uuid';
export * from './validation';
export * from './models';
export * from './errors';
export * from './events';
export * from './commands';
