import type { Provider } from '@nestjs/common';
import { ACTION_PROVIDERS } from '../actions/action-registry';
import { RunsRepository } from '../runs/runs.repository';
import { DeliveryOutcomes } from '../runs/delivery-outcomes';
import { AutomationIndexService } from './automation-index';
import { DryRunner } from './dry-runner';
import { EngineRepository } from './engine.repository';
import { EventIntake } from './event-intake';
import { EXECUTION_DATA_SOURCE_PROVIDERS } from './execution-data-source';
import { RunExecutor } from './run-executor';
import { RunFactory } from './run-factory';
import { RunStarter } from './run-starter';
import { RunSweeper } from './run-sweeper';
import { TriggerNames } from './trigger-names';
import { WakeTimers } from '../runs/wake-timers';
import { TasksRepository } from '../tasks/tasks.repository';
import { AutomationTimers, TimerDispatcher, TimerKinds } from '../timers';
import { ActivityProjection } from '../activity/activity-projection';
import { REMINDER_PROVIDERS } from '../reminders';

export { DryRunner, type DryRunInput } from './dry-runner';

// The engine: event intake, matching, runs and their steps.
export const ENGINE_PROVIDERS: Provider[] = [
  ...EXECUTION_DATA_SOURCE_PROVIDERS,
  EngineRepository,
  RunsRepository,
  AutomationIndexService,
  TriggerNames,
  RunFactory,
  ...ACTION_PROVIDERS,
  RunExecutor,
  RunStarter,
  EventIntake,
  RunSweeper,
  DryRunner,
  DeliveryOutcomes,
  TasksRepository,
  AutomationTimers,
  WakeTimers,
  TimerKinds,
  TimerDispatcher,
  ActivityProjection,
  ...REMINDER_PROVIDERS,
];
export { splitPool } from './execution-data-source';
