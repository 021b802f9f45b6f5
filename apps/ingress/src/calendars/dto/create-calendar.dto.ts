import { IsBoolean, IsOptional, IsString, Length } from 'class-validator';

export class CreateCalendarDto {
  @IsString()
  @Length(1, 200)
  name: string;

  /** An IANA time zone name; checked by the calendar service. */
  @IsOptional()
  @IsString()
  @Length(1, 100)
  timezone?: string;

  @IsOptional()
  @IsBoolean()
  exclusive?: boolean;
}
