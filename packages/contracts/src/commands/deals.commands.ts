import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Min,
  ValidateIf,
} from 'class-validator';
import { COMMANDS } from '../names';
import { DEAL_STATUSES, type Deal, type DealStatus, type Page, type Pipeline } from '../models';
import { NestedMessage } from '../message-validation';
import { ActorMessage } from './actor.message';
import { ByIdQuery, NAME_MAX } from './leads.commands';
import { OrganizationScoped, PageCommand } from './page.command';

// Messages of pipelines and deals, which `leads` owns with the contacts the deals belong to.

/** Bounds of pipelines and deals (README, "Limits"). */
export const DEAL_LIMITS = {
  stagesPerPipeline: 50,
  pipelinesPerOrganization: 100,
  titleLength: 500,
} as const;

// ---- HTTP bodies (Connect API) ----

export class StageBody {
  /** An existing stage keeps its id (PATCH: rename or reorder); a stage without one is added. */
  @IsOptional()
  @IsUUID()
  id?: string;

  /** Required for a new stage; an existing one (with its id) keeps its name when this is left out. */
  @ValidateIf((stage: StageBody) => stage.id == null || stage.name !== undefined)
  @IsString()
  @Length(1, NAME_MAX)
  name?: string;

  /** As a pipeline is read; when every stage of the list has one, the stages are ordered by it. */
  @IsOptional()
  @IsInt()
  @Min(0)
  position?: number;
}

/** The stages in the order they are meant: by `position` when every one has it, else as listed. */
export function orderedStages<T extends StageBody>(stages: T[]): T[] {
  if (!stages.every((stage) => typeof stage.position === 'number')) return stages;
  // A stable sort: equal positions keep their order in the list.
  return [...stages].sort((a, b) => a.position! - b.position!);
}

export class CreatePipelineBody {
  @IsString()
  @Length(1, NAME_MAX)
  name: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(DEAL_LIMITS.stagesPerPipeline)
  @NestedMessage(() => StageBody, { each: true })
  stages: StageBody[];
}

export class UpdatePipelineBody {
  @IsOptional()
  @IsString()
  @Length(1, NAME_MAX)
  name?: string;

  /**
   * The stages in their new order: existing ones by `id` (renamed when the name differs), new ones without.
   * A stage left out is removed, unless a deal is in it (409).
   */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(DEAL_LIMITS.stagesPerPipeline)
  @NestedMessage(() => StageBody, { each: true })
  stages?: StageBody[];
}

export class CreateDealBody {
  @IsUUID()
  entryId: string;

  @IsUUID()
  pipelineId: string;

  /** Default: the pipeline's first stage. */
  @IsOptional()
  @IsUUID()
  stageId?: string;

  @IsString()
  @Length(1, DEAL_LIMITS.titleLength)
  title: string;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  value?: number | null;

  @IsOptional()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as EUR' })
  currency?: string | null;
}

export class UpdateDealBody {
  @IsOptional()
  @IsUUID()
  stageId?: string;

  @IsOptional()
  @IsIn(DEAL_STATUSES, { message: `status must be one of ${DEAL_STATUSES.join(', ')}` })
  status?: DealStatus;

  @IsOptional()
  @IsString()
  @Length(1, DEAL_LIMITS.titleLength)
  title?: string;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  value?: number | null;

  @IsOptional()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as EUR' })
  currency?: string | null;
}

// ---- Commands ----

export class PipelinesCreateCommand extends CreatePipelineBody {
  @IsUUID()
  organizationId: string;
}

export class PipelinesListCommand extends PageCommand {}

export class PipelinesGetCommand extends ByIdQuery {}

export class PipelinesUpdateCommand extends UpdatePipelineBody {
  @IsUUID()
  organizationId: string;

  @IsUUID()
  id: string;
}

export class PipelinesDeleteCommand extends ByIdQuery {}

export class PipelinesByStageCommand extends OrganizationScoped {
  @IsUUID()
  stageId: string;
}

export class DealsCreateCommand extends CreateDealBody {
  @IsObject()
  @NestedMessage(() => ActorMessage)
  actor: ActorMessage;
}

export class DealsListCommand extends PageCommand {
  @IsOptional()
  @IsUUID()
  entryId?: string;

  @IsOptional()
  @IsUUID()
  pipelineId?: string;

  @IsOptional()
  @IsIn(DEAL_STATUSES, { message: `status must be one of ${DEAL_STATUSES.join(', ')}` })
  status?: DealStatus;
}

export class DealsGetCommand extends ByIdQuery {}

export class DealsUpdateCommand extends UpdateDealBody {
  @IsObject()
  @NestedMessage(() => ActorMessage)
  actor: ActorMessage;

  @IsUUID()
  id: string;
}

/** Maps each command to its request class and response type, so callers and handlers agree. */
export interface DealsCommandMap {
  [COMMANDS.pipelinesCreate]: [PipelinesCreateCommand, Pipeline];
  [COMMANDS.pipelinesList]: [PipelinesListCommand, Page<Pipeline>];
  [COMMANDS.pipelinesGet]: [PipelinesGetCommand, Pipeline];
  [COMMANDS.pipelinesUpdate]: [PipelinesUpdateCommand, Pipeline];
  [COMMANDS.pipelinesDelete]: [PipelinesDeleteCommand, Pipeline];
  [COMMANDS.pipelinesByStage]: [PipelinesByStageCommand, Pipeline];
  [COMMANDS.dealsCreate]: [DealsCreateCommand, Deal];
  [COMMANDS.dealsList]: [DealsListCommand, Page<Deal>];
  [COMMANDS.dealsGet]: [DealsGetCommand, Deal];
  [COMMANDS.dealsUpdate]: [DealsUpdateCommand, Deal];
}

export const DEALS_COMMAND_CLASSES = {
  [COMMANDS.pipelinesCreate]: PipelinesCreateCommand,
  [COMMANDS.pipelinesList]: PipelinesListCommand,
  [COMMANDS.pipelinesGet]: PipelinesGetCommand,
  [COMMANDS.pipelinesUpdate]: PipelinesUpdateCommand,
  [COMMANDS.pipelinesDelete]: PipelinesDeleteCommand,
  [COMMANDS.pipelinesByStage]: PipelinesByStageCommand,
  [COMMANDS.dealsCreate]: DealsCreateCommand,
  [COMMANDS.dealsList]: DealsListCommand,
  [COMMANDS.dealsGet]: DealsGetCommand,
  [COMMANDS.dealsUpdate]: DealsUpdateCommand,
} satisfies { [K in keyof DealsCommandMap]: new () => DealsCommandMap[K][0] };
