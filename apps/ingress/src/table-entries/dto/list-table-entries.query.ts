import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { EntriesFilterBody, LIST_LIMIT_MAX } from '@rocketlead/contracts';

/** `?tableId&tagId&leadStateId&assignedMemberId&limit&cursor` of `GET /connect/table_entries`. */
export class ListTableEntriesQuery extends EntriesFilterBody {
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
