import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { TASK_STATUSES, type TaskStatus } from '@rocketlead/contracts';
import { PageQuery } from '../../http/page.query';

export class ListTasksQuery extends PageQuery {
  @IsOptional()
  @IsIn(TASK_STATUSES, { message: `status must be one of ${TASK_STATUSES.join(', ')}` })
  status?: TaskStatus;

  @IsOptional()
  @IsUUID()
  automationId?: string;
}
