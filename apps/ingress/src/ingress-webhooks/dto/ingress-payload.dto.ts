import { IsObject, IsOptional } from 'class-validator';
import type { EntryValue } from '@rocketlead/contracts';

/** Body of POST /public/ingress_webhooks/:id; value types are checked against the pool schema by leads. */
export class IngressPayloadDto {
  @IsObject()
  data: Record<string, EntryValue>;

  @IsOptional()
  @IsObject()
  customFieldData?: Record<string, EntryValue>;
}
