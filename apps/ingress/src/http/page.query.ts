import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { PAGE_LIMIT_MAX } from '@rocketlead/contracts';

/** Items in a page when the client names no `limit`. */
export const PAGE_LIMIT_DEFAULT = 50;

/** `?limit&cursor` of a paged list; list queries extend it with their filters. */
export class PageQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(PAGE_LIMIT_MAX)
  limit?: number;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

/** The page fields of a list command: the default limit, and the cursor when one was sent. */
export function pageFields(query: PageQuery): { limit: number; cursor?: string } {
  return {
    limit: query.limit ?? PAGE_LIMIT_DEFAULT,
    ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
  };
}
