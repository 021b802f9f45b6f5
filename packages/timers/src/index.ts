export * from './timer.entity';
export * from './timers';
export * from './timer-runner';
export * from './timers-migrations';
export * from './timers-retention';
export * from './retry-policy';
