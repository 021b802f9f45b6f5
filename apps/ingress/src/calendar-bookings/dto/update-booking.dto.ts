import { IsOptional, IsString, Length, MaxLength } from 'class-validator';

export class UpdateBookingDto {
  @IsOptional()
  @IsString()
  @Length(1, 64)
  startDateTime?: string;

  @IsOptional()
  @IsString()
  @Length(1, 64)
  endDateTime?: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  title?: string;
}
