export * from './automation.models';
export * from './actions';
export * from './definition';
export * from './schedule';
