import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
} from 'class-validator';
import { COMMANDS } from '../names';
import type { Page } from '../models';
import { NestedMessage } from '../message-validation';
import { ActorMessage } from './actor.message';
import { ByIdQuery } from './leads.commands';
import { OrganizationScoped, PAGE_LIMIT_MAX, PageCommand } from './page.command';
import { RUN_STATUSES, type RunStatus } from '../events/automation.events';
import {
  AUTOMATION_STATUSES,
  type Automation,
  type AutomationAction,
  type AutomationRun,
  type AutomationRunListItem,
  type AutomationStatus,
  type AutomationTrigger,
  type ActivityItem,
  type AutomationTask,
  type DryRunResult,
  type SandboxSettings,
  TASK_STATUSES,
  type TaskStatus,
} from '../automation/automation.models';
import { AUTOMATION_LIMITS } from '../automation/definition';

// Messages of the `automation` service. Trigger and actions are checked in depth by the service (it knows
// the organization's pools and calendars); here only their outer shape.

export const AUTOMATIONS_LIMIT_MAX = PAGE_LIMIT_MAX;

// ---- HTTP bodies (/api/v1) ----

export class CreateAutomationBody {
  @IsString()
  @Length(1, AUTOMATION_LIMITS.nameLength)
  name: string;

  @IsOptional()
  @IsString()
  @MaxLength(AUTOMATION_LIMITS.descriptionLength)
  description?: string | null;

  @IsObject()
  trigger: AutomationTrigger;

  @IsArray()
  actions: Partial<AutomationAction>[];

  @IsOptional()
  @IsIn(AUTOMATION_STATUSES, { message: `status must be one of ${AUTOMATION_STATUSES.join(', ')}` })
  status?: AutomationStatus;

  @IsOptional()
  @IsBoolean()
  sandbox?: boolean;
}

export class UpdateAutomationBody {
  @IsOptional()
  @IsString()
  @Length(1, AUTOMATION_LIMITS.nameLength)
  name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(AUTOMATION_LIMITS.descriptionLength)
  description?: string | null;

  @IsOptional()
  @IsObject()
  trigger?: AutomationTrigger;

  @IsOptional()
  @IsArray()
  actions?: Partial<AutomationAction>[];

  @IsOptional()
  @IsIn(AUTOMATION_STATUSES, { message: `status must be one of ${AUTOMATION_STATUSES.join(', ')}` })
  status?: AutomationStatus;

  @IsOptional()
  @IsBoolean()
  sandbox?: boolean;
}

export class DryRunEventBody {
  @IsString()
  @Length(1, 200)
  type: string;

  @IsOptional()
  @IsObject()
  data?: Record<string, unknown>;
}

export class DryRunBody {
  @IsUUID()
  entryId: string;

  @IsOptional()
  @IsObject()
  @NestedMessage(() => DryRunEventBody)
  event?: DryRunEventBody;
}

export class CompleteTaskBody {
  // Checked field by field against the task's declared fields by the service (400 naming output.<field>).
  @IsObject()
  output: Record<string, unknown>;
}

export class SetSandboxBody {
  @IsBoolean()
  enabled: boolean;
}

// ---- Commands ----

export class AutomationsCreateCommand extends CreateAutomationBody {
  @IsObject()
  @NestedMessage(() => ActorMessage)
  actor: ActorMessage;

  /**
   * Set by ingress for a request with an Idempotency-Key: the new automation's id, so that the request run
   * again (after a crash in between) finds the automation it made instead of making a second.
   */
  @IsOptional()
  @IsUUID()
  idempotencyKey?: string;
}

export class AutomationsListCommand extends PageCommand {
  @IsOptional()
  @IsIn(AUTOMATION_STATUSES)
  status?: AutomationStatus;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  event?: string;
}

export class AutomationsGetCommand extends ByIdQuery {}

export class AutomationsUpdateCommand extends UpdateAutomationBody {
  @IsObject()
  @NestedMessage(() => ActorMessage)
  actor: ActorMessage;

  @IsUUID()
  id: string;
}

export class AutomationsArchiveCommand {
  @IsObject()
  @NestedMessage(() => ActorMessage)
  actor: ActorMessage;

  @IsUUID()
  id: string;
}

export class AutomationsDryRunCommand extends DryRunBody {
  @IsObject()
  @NestedMessage(() => ActorMessage)
  actor: ActorMessage;

  @IsUUID()
  id: string;
}

export class RunsListCommand extends PageCommand {
  @IsUUID()
  automationId: string;

  @IsOptional()
  @IsIn(RUN_STATUSES)
  status?: RunStatus;

  @IsOptional()
  @IsUUID()
  entryId?: string;
}

export class RunsGetCommand extends OrganizationScoped {
  @IsUUID()
  automationId: string;

  @IsUUID()
  runId: string;
}

export class RunsRetryCommand extends RunsGetCommand {
  @IsObject()
  @NestedMessage(() => ActorMessage)
  actor: ActorMessage;
}

export class RunsCancelCommand extends RunsRetryCommand {}

export class RunsCompleteTaskCommand extends RunsRetryCommand {
  @IsObject()
  output: Record<string, unknown>;
}

export class TasksListCommand extends PageCommand {
  @IsOptional()
  @IsIn(TASK_STATUSES)
  status?: TaskStatus;

  @IsOptional()
  @IsUUID()
  automationId?: string;
}

/** Most types an activity query may filter by. */
export const ACTIVITY_TYPES_MAX = 20;

export class ActivityListCommand extends PageCommand {
  @IsUUID()
  entryId: string;

  /** Exact types (`table.entry.added`, `send_email`) or prefixes ending in `.*` (`calendar.appointment.*`). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(ACTIVITY_TYPES_MAX)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  types?: string[];
}

export class SandboxGetCommand extends OrganizationScoped {}

export class SandboxSetCommand extends SetSandboxBody {
  @IsObject()
  @NestedMessage(() => ActorMessage)
  actor: ActorMessage;
}

export interface AutomationCommandMap {
  [COMMANDS.automationsCreate]: [AutomationsCreateCommand, Automation];
  [COMMANDS.automationsList]: [AutomationsListCommand, Page<Automation>];
  [COMMANDS.automationsGet]: [AutomationsGetCommand, Automation];
  [COMMANDS.automationsUpdate]: [AutomationsUpdateCommand, Automation];
  [COMMANDS.automationsArchive]: [AutomationsArchiveCommand, Automation];
  [COMMANDS.automationsDryRun]: [AutomationsDryRunCommand, DryRunResult];
  [COMMANDS.runsList]: [RunsListCommand, Page<AutomationRunListItem>];
  [COMMANDS.runsGet]: [RunsGetCommand, AutomationRun];
  [COMMANDS.runsRetry]: [RunsRetryCommand, AutomationRun];
  [COMMANDS.runsCancel]: [RunsCancelCommand, AutomationRun];
  [COMMANDS.runsCompleteTask]: [RunsCompleteTaskCommand, AutomationRun];
  [COMMANDS.tasksList]: [TasksListCommand, Page<AutomationTask>];
  [COMMANDS.activityList]: [ActivityListCommand, Page<ActivityItem>];
  [COMMANDS.sandboxGet]: [SandboxGetCommand, SandboxSettings];
  [COMMANDS.sandboxSet]: [SandboxSetCommand, SandboxSettings];
}

export const AUTOMATION_COMMAND_CLASSES = {
  [COMMANDS.automationsCreate]: AutomationsCreateCommand,
  [COMMANDS.automationsList]: AutomationsListCommand,
  [COMMANDS.automationsGet]: AutomationsGetCommand,
  [COMMANDS.automationsUpdate]: AutomationsUpdateCommand,
  [COMMANDS.automationsArchive]: AutomationsArchiveCommand,
  [COMMANDS.automationsDryRun]: AutomationsDryRunCommand,
  [COMMANDS.runsList]: RunsListCommand,
  [COMMANDS.runsGet]: RunsGetCommand,
  [COMMANDS.runsRetry]: RunsRetryCommand,
  [COMMANDS.runsCancel]: RunsCancelCommand,
  [COMMANDS.runsCompleteTask]: RunsCompleteTaskCommand,
  [COMMANDS.tasksList]: TasksListCommand,
  [COMMANDS.activityList]: ActivityListCommand,
  [COMMANDS.sandboxGet]: SandboxGetCommand,
  [COMMANDS.sandboxSet]: SandboxSetCommand,
} satisfies { [K in keyof AutomationCommandMap]: new () => AutomationCommandMap[K][0] };
