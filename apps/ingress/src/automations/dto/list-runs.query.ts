import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { RUN_STATUSES, type RunStatus } from '@rocketlead/contracts';
import { PageQuery } from '../../http/page.query';

export class ListRunsQuery extends PageQuery {
  @IsOptional()
  @IsIn(RUN_STATUSES, { message: `status must be one of ${RUN_STATUSES.join(', ')}` })
  status?: RunStatus;

  @IsOptional()
  @IsUUID()
  entryId?: string;
}
