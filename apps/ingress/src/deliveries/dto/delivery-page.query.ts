import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DELIVERY_LIST_LIMIT_MAX } from '@rocketlead/contracts';

export const DELIVERY_LIMIT_DEFAULT = 50;

/** `?limit&cursor` of the delivery lists: webhook endpoints, an endpoint's attempts, a lead's deliveries. */
export class DeliveryPageQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(DELIVERY_LIST_LIMIT_MAX)
  limit?: number;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

/** The page fields of a delivery list command: the default limit, and the cursor when one was sent. */
export function pageOf(query: DeliveryPageQuery): { limit: number; cursor?: string } {
  return {
    limit: query.limit ?? DELIVERY_LIMIT_DEFAULT,
    ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
  };
}
