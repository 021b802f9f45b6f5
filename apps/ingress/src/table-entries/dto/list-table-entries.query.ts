import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { LIST_LIMIT_MAX } from '@rocketlead/contracts';

export const LIST_LIMIT_DEFAULT = 50;

export class ListTableEntriesQuery {
  @IsOptional()
  @IsUUID()
  tableId?: string;

  /** Only entries carrying this tag. */
  @IsOptional()
  @IsUUID()
  tagId?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(LIST_LIMIT_MAX)
  limit?: number;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}
