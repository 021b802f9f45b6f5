import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { DEAL_STATUSES, type DealStatus } from '@rocketlead/contracts';
import { PageQuery } from '../../http/page.query';

/** `GET /connect/deals`: a page of the organization's deals, narrowed by contact, pipeline and status. */
export class ListDealsQuery extends PageQuery {
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
