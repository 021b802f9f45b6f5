import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { AUTOMATION_STATUSES, AUTOMATIONS_LIMIT_MAX, type AutomationStatus } from '@rocketlead/contracts';

export const AUTOMATIONS_LIMIT_DEFAULT = 50;

export class ListAutomationsQuery {
  @IsOptional()
  @IsIn(AUTOMATION_STATUSES, { message: `status must be one of ${AUTOMATION_STATUSES.join(', ')}` })
  status?: AutomationStatus;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  event?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(AUTOMATIONS_LIMIT_MAX)
  limit?: number;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}
