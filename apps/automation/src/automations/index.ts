import type { Provider, Type } from '@nestjs/common';
import { RunHistoryRepository } from '../runs/run-history.repository';
import { RunsHandlers } from '../runs/runs.handlers';
import { RunsService } from '../runs/runs.service';
import { RunControlService } from '../runs/run-control.service';
import { TasksHandlers } from '../tasks/tasks.handlers';
import { TasksService } from '../tasks/tasks.service';
import { SandboxHandlers } from '../sandbox/sandbox.handlers';
import { SandboxRepository } from '../sandbox/sandbox.repository';
import { SandboxService } from '../sandbox/sandbox.service';
import { ActivityHandlers } from '../activity/activity.handlers';
import { ActivityRepository } from '../activity/activity.repository';
import { ActivityService } from '../activity/activity.service';
import { AutomationValidator } from './automation-validator';
import { AutomationsHandlers } from './automations.handlers';
import { AutomationsRepository } from './automations.repository';
import { AutomationsService } from './automations.service';

// The automations API: CRUD, runs (read, retry, cancel, complete a task), tasks, sandbox, dry-run entry point.
export const API_CONTROLLERS: Type[] = [
  AutomationsHandlers,
  RunsHandlers,
  TasksHandlers,
  SandboxHandlers,
  ActivityHandlers,
];
export const API_PROVIDERS: Provider[] = [
  AutomationsRepository,
  AutomationValidator,
  AutomationsService,
  RunHistoryRepository,
  RunsService,
  RunControlService,
  TasksService,
  SandboxRepository,
  SandboxService,
  ActivityRepository,
  ActivityService,
];
