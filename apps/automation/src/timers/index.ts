export { AutomationTimers } from './automation-timers';
export { TimerDispatcher } from './timer-dispatcher';
export { TimerKinds } from './timer-kinds';
export { wakeKey, type TimerKindHandler } from './timer-kind';
