import type { Provider, Type } from '@nestjs/common';
import { RunHistoryRepository } from '../runs/run-history.repository';
import { RunsHandlers } from '../runs/runs.handlers';
import { RunsService } from '../runs/runs.service';
import { SandboxHandlers } from '../sandbox/sandbox.handlers';
import { SandboxRepository } from '../sandbox/sandbox.repository';
import { SandboxService } from '../sandbox/sandbox.service';
import { AutomationValidator } from './automation-validator';
import { AutomationsHandlers } from './automations.handlers';
import { AutomationsRepository } from './automations.repository';
import { AutomationsService } from './automations.service';

// The automations API: CRUD, runs (read), sandbox settings, dry-run entry point.
export const API_CONTROLLERS: Type[] = [AutomationsHandlers, RunsHandlers, SandboxHandlers];
export const API_PROVIDERS: Provider[] = [
  AutomationsRepository,
  AutomationValidator,
  AutomationsService,
  RunHistoryRepository,
  RunsService,
  SandboxRepository,
  SandboxService,
];
