export * from './timer.entity';
export * from './timers';
export * from './timer-runner';
