import { Timers } from '@rocketlead/timers';
import { AUTOMATION_SCHEMA } from '../database/entities';

/** Schedules and cancels the automation schema's timers inside the caller's transaction. */
export class AutomationTimers extends Timers {
  constructor() {
    super(AUTOMATION_SCHEMA);
  }
}
