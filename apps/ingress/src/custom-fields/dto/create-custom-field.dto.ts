import { IsIn, IsString, Length } from 'class-validator';
import { FIELD_TYPES, type FieldType } from '@rocketlead/contracts';

export class CreateCustomFieldDto {
  @IsString()
  @Length(1, 200)
  name: string;

  @IsIn(FIELD_TYPES, { message: `type must be one of ${FIELD_TYPES.join(', ')}` })
  type: FieldType;
}
