import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { COMMANDS } from '../names';
import type { Page } from '../models';
import { NestedMessage } from '../message-validation';
import { ActorMessage } from './actor.message';
import { ByIdQuery, OrganizationScoped } from './leads.commands';
import { RUN_STATUSES, type RunStatus } from '../events/automation.events';
import {
  AUTOMATION_STATUSES,
  type Automation,
  type AutomationAction,
  type AutomationRun,
  type AutomationRunSummary,
  type AutomationStatus,
  type AutomationTrigger,
  type DryRunResult,
  type SandboxSettings,
} from '../automation/automation.models';
import { AUTOMATION_LIMITS } from '../automation/definition';

// Messages of the `automation` service. Trigger and actions are checked in depth by the service (it knows
// the organization's pools and calendars); here only their outer shape.

export const AUTOMATIONS_LIMIT_MAX = 100;

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

export class SetSandboxBody {
  @IsBoolean()
  enabled: boolean;
}

// ---- Commands ----

export class AutomationsCreateCommand extends CreateAutomationBody {
  @IsObject()
  @NestedMessage(() => ActorMessage)
  actor: ActorMessage;
}

export class AutomationsListCommand extends OrganizationScoped {
  @IsOptional()
  @IsIn(AUTOMATION_STATUSES)
  status?: AutomationStatus;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  event?: string;

  @IsInt()
  @Min(1)
  @Max(AUTOMATIONS_LIMIT_MAX)
  limit: number;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
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

export class RunsListCommand extends OrganizationScoped {
  @IsUUID()
  automationId: string;

  @IsOptional()
  @IsIn(RUN_STATUSES)
  status?: RunStatus;

  @IsOptional()
  @IsUUID()
  entryId?: string;

  @IsInt()
  @Min(1)
  @Max(AUTOMATIONS_LIMIT_MAX)
  limit: number;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

export class RunsGetCommand extends OrganizationScoped {
  @IsUUID()
  automationId: string;

  @IsUUID()
  runId: string;
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
  [COMMANDS.runsList]: [RunsListCommand, Page<AutomationRunSummary>];
  [COMMANDS.runsGet]: [RunsGetCommand, AutomationRun];
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
  [COMMANDS.sandboxGet]: SandboxGetCommand,
  [COMMANDS.sandboxSet]: SandboxSetCommand,
} satisfies { [K in keyof AutomationCommandMap]: new () => AutomationCommandMap[K][0] };
