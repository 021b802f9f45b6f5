import { IsObject, IsOptional, IsUUID } from 'class-validator';
import type { EntryValue } from '@rocketlead/contracts';

export class UpdateTableEntryDto {
  @IsOptional()
  @IsUUID()
  leadStateId?: string;

  @IsOptional()
  @IsObject()
  data?: Record<string, EntryValue>;

  @IsOptional()
  @IsObject()
  customFieldData?: Record<string, EntryValue>;
}
