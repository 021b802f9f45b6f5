import { ArrayMinSize, ArrayUnique, IsArray, IsIn, IsString, Length } from 'class-validator';
import { SCOPES, type Scope } from '../api-token.entity';

export class CreateApiTokenDto {
  @IsString()
  @Length(1, 200)
  name: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(SCOPES, { each: true, message: `each value in scopes must be one of ${SCOPES.join(', ')}` })
  scopes: Scope[];
}
