import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, MaxLength } from 'class-validator';
import { ACTIVITY_TYPES_MAX } from '@rocketlead/contracts';
import { PageQuery } from '../../http/page.query';

/** `types=a,b&types=c` → `['a', 'b', 'c']`: comma-separated, repeated or both; empty parts dropped. */
function typeList({ value }: { value: unknown }): unknown {
  const parts: unknown[] = Array.isArray(value) ? value : [value];
  return parts.flatMap((part) =>
    typeof part === 'string'
      ? part
          .split(',')
          .map((type) => type.trim())
          .filter((type) => type.length > 0)
      : [part],
  );
}

/** `?types&limit&cursor` of a lead's activity timeline. */
export class ActivityQuery extends PageQuery {
  /** Exact types (`table.entry.added`, `send_email`) or prefixes ending in `.*` (`calendar.appointment.*`). */
  @IsOptional()
  @Transform(typeList)
  @IsArray()
  @ArrayMaxSize(ACTIVITY_TYPES_MAX)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  types?: string[];
}
