import { isUuid, type DealStatus } from '@rocketlead/contracts';

export type ClosedDealStatus = Exclude<DealStatus, 'open'>;

/** Gordon's composite triggerId of a deal status trigger, `<pipelineId>_<won|lost>`, taken apart. */
export function parsePipelineStatusId(id: string): { pipelineId: string; status: ClosedDealStatus } | null {
  const at = id.lastIndexOf('_');
  const pipelineId = id.slice(0, at);
  const status = id.slice(at + 1);
  if (at < 0 || !isUuid(pipelineId) || (status !== 'won' && status !== 'lost')) return null;
  return { pipelineId, status };
}

/** `won` → `Won`, as trigger names show a status. */
export const DEAL_STATUS_NAMES: Record<ClosedDealStatus, string> = { won: 'Won', lost: 'Lost' };
