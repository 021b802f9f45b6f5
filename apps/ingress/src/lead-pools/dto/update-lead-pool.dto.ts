import { IsOptional, IsString, IsUUID, Length, ValidateIf } from 'class-validator';
import type { TableSchema } from '@rocketlead/contracts';
import { IsTableSchema } from '../../http/is-table-schema';

export class UpdateLeadPoolDto {
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  // null clears the default; entries then need an explicit leadStateId.
  @ValidateIf((_, value) => value !== undefined && value !== null)
  @IsUUID()
  defaultLeadStateId?: string | null;

  @IsOptional()
  @IsTableSchema()
  tableSchema?: TableSchema;
}
