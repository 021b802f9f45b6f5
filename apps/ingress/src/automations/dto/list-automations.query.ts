import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { AUTOMATION_STATUSES, type AutomationStatus } from '@rocketlead/contracts';
import { PageQuery } from '../../http/page.query';

export class ListAutomationsQuery extends PageQuery {
  @IsOptional()
  @IsIn(AUTOMATION_STATUSES, { message: `status must be one of ${AUTOMATION_STATUSES.join(', ')}` })
  status?: AutomationStatus;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  event?: string;
}
