import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { DataSource } from 'typeorm';
import {
  ACTIVITY_STREAMS,
  CONSUMERS,
  EVENT_DEFINITIONS,
  WireNames,
  dataAt,
  isKnownEventType,
  isUuid,
  type CloudEvent,
  type StreamKey,
} from '@rocketlead/contracts';
import { EventConsumer, NATS_CONNECTION, PermanentEventError } from '@rocketlead/messaging';
import { JsonLogger } from '@rocketlead/observability';
import { GroupWriter } from '@rocketlead/persistence';
import { AUTOMATION_SCHEMA } from '../database/entities';
import { eventSummary } from './activity-summaries';
import { ActivityRepository, type ActivityEventRow } from './activity.repository';

/** Events in hand per stream: what arrives while a batch is written goes into the next one. */
const CONCURRENCY = 256;
const MAX_BATCH = 500;
// Nobody waits for a timeline row: events trickling in are written together, a statement per window.
const LINGER_MS = 20;

/** The lead an event is about (its type's `entryIdField`), or null when it is about none. */
export function entryIdOf(event: CloudEvent): string | null {
  if (!isKnownEventType(event.type)) return null;
  const field = EVENT_DEFINITIONS[event.type].entryIdField;
  const id = field === null ? undefined : dataAt(event.data, field);
  return isUuid(id) ? id.toLowerCase() : null;
}

/** The row an event about a lead becomes; DELIVERY's events are of kind `delivery`. */
export function activityEventRow(stream: StreamKey, event: CloudEvent, entryId: string): ActivityEventRow {
  return {
    id: event.id,
    organizationId: event.organizationid,
    entryId,
    at: event.time,
    type: event.type,
    kind: stream === 'DELIVERY' ? 'delivery' : 'event',
    channel: event.channel,
    apiTokenId: event.apitokenid,
    memberId: event.memberid,
    summary: eventSummary(event),
    data: event.data,
  };
}

/** Invalid input (SQLSTATE class 22) or a violated constraint (23): the same row would fail again. */
function refusedRow(error: unknown): boolean {
  const e = error as { code?: unknown; driverError?: { code?: unknown } };
  const code = e.code ?? e.driverError?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

/**
 * The event projection of the lead timeline: one durable consumer per stream whose events may be about a
 * lead (ACTIVITY_STREAMS), storing each such event once. Off the event path's critical work: no inbox and no
 * transaction per event; the events in hand are written together by one idempotent INSERT (ON CONFLICT on
 * the event id), so a redelivery stores nothing new.
 */
@Injectable()
export class ActivityProjection implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumers: EventConsumer[] = [];
  // Answers each batch with the events Postgres refused (id → reason); the others are stored.
  private readonly writer = new GroupWriter<ActivityEventRow, Map<string, string>>(
    (rows) => this.write(rows),
    { maxBatch: MAX_BATCH, lingerMs: LINGER_MS },
  );

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly names: WireNames,
    private readonly dataSource: DataSource,
    private readonly logger: JsonLogger,
    private readonly activity: ActivityRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const stream of ACTIVITY_STREAMS) {
      const consumer = new EventConsumer({
        nc: this.nc,
        names: this.names,
        dataSource: this.dataSource,
        schema: AUTOMATION_SCHEMA,
        stream,
        durable: CONSUMERS.automationActivity(stream),
        logger: this.logger,
        inbox: false,
        relevant: (event) => Promise.resolve(entryIdOf(event) !== null),
        handler: (event) => this.project(stream, event),
        concurrency: CONCURRENCY,
      });
      await consumer.start();
      this.consumers.push(consumer);
    }
  }

  /** Stops pulling; the events in hand are written before NATS and Postgres close. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.consumers.splice(0).map((consumer) => consumer.stop()));
  }

  private async project(stream: StreamKey, event: CloudEvent): Promise<void> {
    const entryId = entryIdOf(event);
    if (entryId === null) return;
    const refused = (await this.writer.add(activityEventRow(stream, event, entryId))).get(event.id);
    if (refused !== undefined) throw new PermanentEventError(`activity projection refused it: ${refused}`);
  }

  private async write(rows: ActivityEventRow[]): Promise<Map<string, string>> {
    const refused = new Map<string, string>();
    try {
      await this.activity.insertEvents(rows);
      return refused;
    } catch (error) {
      if (!refusedRow(error)) throw error;
    }
    // One row Postgres refuses (e.g. a NUL in a string of the data) must not hold the others back: each is
    // tried alone, and only the refused ones are dead-lettered. Other errors are transient: retried.
    for (const row of rows) {
      try {
        await this.activity.insertEvents([row]);
      } catch (error) {
        if (!refusedRow(error)) throw error;
        refused.set(row.id, (error as Error).message);
      }
    }
    return refused;
  }
}
