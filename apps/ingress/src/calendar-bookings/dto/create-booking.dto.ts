import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
  ValidateNested,
} from 'class-validator';

export class AttendeeDto {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(320)
  email?: string;

  @IsOptional()
  @IsString()
  @MaxLength(50)
  phone?: string;
}

export class CreateBookingDto {
  @IsUUID()
  calendarId: string;

  /** ISO 8601 with an offset; parsed and compared by the calendar service. */
  @IsString()
  @Length(1, 64)
  startDateTime: string;

  @IsString()
  @Length(1, 64)
  endDateTime: string;

  @IsOptional()
  @IsUUID()
  tableEntryId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  title?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => AttendeeDto)
  attendees?: AttendeeDto[];
}
