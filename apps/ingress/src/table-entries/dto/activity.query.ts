import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ACTIVITY_TYPES_MAX, AUTOMATIONS_LIMIT_MAX } from '@rocketlead/contracts';

export const ACTIVITY_LIMIT_DEFAULT = 50;

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
export class ActivityQuery {
  /** Exact types (`table.entry.added`, `send_email`) or prefixes ending in `.*` (`calendar.appointment.*`). */
  @IsOptional()
  @Transform(typeList)
  @IsArray()
  @ArrayMaxSize(ACTIVITY_TYPES_MAX)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  types?: string[];

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
