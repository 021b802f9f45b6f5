import { IsString, Length } from 'class-validator';

export class CreateLeadPoolDto {
  @IsString()
  @Length(1, 200)
  name: string;
}
