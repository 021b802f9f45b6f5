import { DEAL_STATUSES, type DealStatus } from '../models';
import { s } from '../validation';

/** A deal moved to another stage of its pipeline (Gordon "Deal Stage Changed"). */
export const DEAL_STAGE_CHANGED = 'deal.stage.changed';
/** A deal was won or lost (Gordon "Deal Status Changed"); reopening emits nothing. */
export const DEAL_STATUS_CHANGED = 'deal.status.changed';

export interface DealStageChangedData {
  dealId: string;
  entryId: string;
  pipelineId: string;
  stageId: string;
  fromStageId: string;
}

export interface DealStatusChangedData {
  dealId: string;
  entryId: string;
  pipelineId: string;
  status: Exclude<DealStatus, 'open'>;
}

export const dealStageChangedSchema = s.object({
  dealId: s.uuid(),
  entryId: s.uuid(),
  pipelineId: s.uuid(),
  stageId: s.uuid(),
  fromStageId: s.uuid(),
});

export const dealStatusChangedSchema = s.object({
  dealId: s.uuid(),
  entryId: s.uuid(),
  pipelineId: s.uuid(),
  status: s.literal(...DEAL_STATUSES.filter((status) => status !== 'open')),
});
