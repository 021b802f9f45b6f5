import { MESSAGING_ENTITIES } from '@rocketlead/messaging';
import { AutomationEntity } from '../automations/automation.entity';
import { AutomationVersionEntity } from '../automations/automation-version.entity';
import { RunEntity } from '../runs/run.entity';
import { RunStepEntity } from '../runs/run-step.entity';
import { OrganizationSettingsEntity } from '../sandbox/organization-settings.entity';
import { TaskEntity } from '../tasks/task.entity';
import { TimerEntity } from '@rocketlead/timers';
import { ActivityEventEntity } from '../activity/activity-event.entity';
import { ReminderEntity } from '../reminders/reminder.entity';

export const AUTOMATION_SCHEMA = 'automation';
export const AUTOMATION_ENTITIES = [
  AutomationEntity,
  AutomationVersionEntity,
  RunEntity,
  RunStepEntity,
  OrganizationSettingsEntity,
  TaskEntity,
  TimerEntity,
  ActivityEventEntity,
  ReminderEntity,
  ...MESSAGING_ENTITIES,
];
