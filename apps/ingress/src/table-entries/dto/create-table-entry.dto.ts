import { IsObject, IsOptional, IsUUID } from 'class-validator';
import type { EntryValue } from '@rocketlead/contracts';

export class CreateTableEntryDto {
  @IsUUID()
  tableId: string;

  @IsObject()
  data: Record<string, EntryValue>;

  @IsOptional()
  @IsUUID()
  leadStateId?: string;

  @IsOptional()
  @IsObject()
  customFieldData?: Record<string, EntryValue>;
}
