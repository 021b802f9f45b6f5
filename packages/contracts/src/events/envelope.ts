import { CHANNELS, type Actor, type Channel } from '../models';
import { uuidv7 } from '../uuid';
import { s, validate, type Validated } from '../validation';

/** CloudEvents 1.0 structured-mode envelope with RocketLead extension attributes. */
export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  type: string;
  source: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: T;
  organizationid: string;
  channel: Channel;
  apitokenid: string | null;
  memberid: string | null;
  correlationid: string;
  causationid: string | null;
  depth: number;
  traceparent: string | null;
}

export const envelopeSchema = s.object({
  specversion: s.literal('1.0'),
  id: s.uuid(),
  type: s.string({ min: 1 }),
  source: s.string({ min: 1 }),
  subject: s.string({ min: 1 }),
  time: s.isoDate(),
  datacontenttype: s.literal('application/json'),
  data: s.unknown(),
  organizationid: s.uuid(),
  channel: s.literal(...CHANNELS),
  apitokenid: s.nullable(s.uuid()),
  memberid: s.nullable(s.string()),
  correlationid: s.string({ min: 1 }),
  causationid: s.nullable(s.string()),
  depth: s.number({ int: true, min: 0 }),
  traceparent: s.nullable(s.string()),
});

export interface NewEvent<T> {
  type: string;
  source: string;
  subject: string;
  data: T;
  actor: Actor;
  causationId?: string | null;
  depth?: number;
  time?: Date;
}

export function createEvent<T>(input: NewEvent<T>): CloudEvent<T> {
  const time = input.time ?? new Date();
  return {
    specversion: '1.0',
    id: uuidv7(time.getTime()),
    type: input.type,
    source: input.source,
    subject: input.subject,
    time: time.toISOString(),
    datacontenttype: 'application/json',
    data: input.data,
    organizationid: input.actor.organizationId,
    channel: input.actor.channel,
    apitokenid: input.actor.apiTokenId,
    memberid: input.actor.memberId,
    correlationid: input.actor.correlationId,
    causationid: input.causationId ?? null,
    depth: input.depth ?? 0,
    traceparent: input.actor.traceparent,
  };
}

export function validateEnvelope(raw: unknown): Validated<CloudEvent> {
  return validate(envelopeSchema, raw) as Validated<CloudEvent>;
}
