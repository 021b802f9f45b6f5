import { IsBoolean, IsOptional, IsString, Length } from 'class-validator';

export class CreateLeadStateDto {
  @IsString()
  @Length(1, 200)
  name: string;

  @IsOptional()
  @IsBoolean()
  isDefault?: boolean;
}
