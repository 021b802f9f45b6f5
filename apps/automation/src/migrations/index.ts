import { messagingMigrations } from '@rocketlead/messaging';
import { timersMigrations } from '@rocketlead/timers';
import { AUTOMATION_SCHEMA } from '../database/entities';
import { AutomationInit1795451656482 } from './1795451656482-AutomationInit';
import { AutomationRunsUnfinishedIndex1795453315461 } from './1795453315461-AutomationRunsUnfinishedIndex';
import { AutomationWaitsAndTasks1795471228822 } from './1795471228822-AutomationWaitsAndTasks';
import { AutomationActivity1795471809389 } from './1795471809389-AutomationActivity';
import { AutomationReminders1795472031678 } from './1795472031678-AutomationReminders';

/**
 * Every migration of the automation schema, in order. Generated; never edit one that has landed. The outbox,
 * inbox and dead-letter tables come first, from @rocketlead/messaging.
 */
export const AUTOMATION_MIGRATIONS = [
  ...messagingMigrations(AUTOMATION_SCHEMA),
  AutomationInit1795451656482,
  AutomationRunsUnfinishedIndex1795453315461,
  ...timersMigrations(AUTOMATION_SCHEMA),
  AutomationWaitsAndTasks1795471228822,
  AutomationActivity1795471809389,
  AutomationReminders1795472031678,
];
