import { IsIn, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { CHANNELS, type Actor, type Channel } from '../models';
import { IsNullable } from '../message-validation';

/** Who caused a change, as carried by every command that writes. */
export class ActorMessage implements Actor {
  @IsUUID()
  organizationId: string;

  @IsIn(CHANNELS)
  channel: Channel;

  @IsNullable()
  @IsUUID()
  apiTokenId: string | null;

  @IsNullable()
  @IsString()
  @MaxLength(200)
  memberId: string | null;

  @IsString()
  @Length(1, 200)
  correlationId: string;

  @IsNullable()
  @IsString()
  @MaxLength(200)
  traceparent: string | null;
}
