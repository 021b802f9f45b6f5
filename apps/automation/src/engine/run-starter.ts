import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  EVENT_DEFINITIONS,
  dataAt,
  isKnownEventType,
  type CloudEvent,
  type TableEntry,
} from '@rocketlead/contracts';
import { evaluateCriteria } from '../conditions/conditions';
import { LeadsGateway } from '../gateways/leads.gateway';
import { AutomationIndexService } from './automation-index';
import { triggeredBy } from './matcher';
import { buildSnapshot, entryInEvent, eventSubjects, runContext } from './run-context';
import type { ClaimedRun } from '../runs/runs.repository';
import { RunExecutor } from './run-executor';
import { RunFactory, type RunRequest } from './run-factory';
import { TriggerNames } from './trigger-names';

/** The key of the queue an event waits in: its lead, else its booking, else none (its own). */
export function orderingKey(event: CloudEvent): string | null {
  if (!isKnownEventType(event.type)) return null;
  const definition = EVENT_DEFINITIONS[event.type];
  if (definition.entryIdField !== null) {
    const entryId = dataAt(event.data, definition.entryIdField);
    if (typeof entryId === 'string') return `entry:${entryId}`;
  }
  if (definition.bookingField !== null) {
    const bookingId = dataAt(dataAt(event.data, definition.bookingField), 'id');
    if (typeof bookingId === 'string') return `booking:${bookingId}`;
  }
  return null;
}

/**
 * From an event to its runs. `start` (or `startMany`, for events handled together) runs in the consumer's
 * inbox transaction: it matches the event against the organization's active automations (in memory) and
 * records one run per match; `execute` runs after that commit (and again on a redelivery) and executes them.
 */
@Injectable()
export class RunStarter {
  // Runs recorded by `start` whose transaction is committing: `execute` takes them without a query.
  private readonly started = new Map<string, ClaimedRun[]>();
  // What `relevant` fetched from other services for an event, so that the inbox transaction does no remote I/O.
  private readonly prepared = new Map<string, Prepared>();

  constructor(
    private readonly index: AutomationIndexService,
    private readonly leads: LeadsGateway,
    private readonly names: TriggerNames,
    private readonly factory: RunFactory,
    private readonly executor: RunExecutor,
  ) {}

  /**
   * Whether any active automation of the organization is triggered by the event (from memory). Most events
   * trigger nothing; those are acked without a transaction. A run recorded earlier for an event that no
   * longer matches (its automation was paused meanwhile) is resumed by the sweep, not by a redelivery.
   */
  async relevant(event: CloudEvent): Promise<boolean> {
    if (!isTriggering(event)) return false;
    if (triggeredBy(await this.index.index(event.organizationid), event).length === 0) return false;
    this.prepared.set(event.id, await this.prepare(event));
    return true;
  }

  /** The lead (when the event does not carry it) and the trigger name, fetched before any transaction. */
  private async prepare(event: CloudEvent): Promise<Prepared> {
    const { entryId } = eventSubjects(event.type, event.data);
    const [entry, triggerName] = await Promise.all([
      entryInEvent(event) ??
        (entryId ? this.leads.entry(event.organizationid, entryId, event.traceparent) : null),
      this.names.resolve(event.organizationid, event),
    ]);
    return { entry, triggerName };
  }

  async start(event: CloudEvent, manager: EntityManager): Promise<void> {
    await this.startMany([event], manager);
  }

  /** `start` for events handled together: their runs are recorded with one insert and one outbox write. */
  async startMany(events: CloudEvent[], manager: EntityManager): Promise<void> {
    const planned: { event: CloudEvent; requests: RunRequest[] }[] = [];
    for (const event of events)
      if (isTriggering(event)) planned.push({ event, requests: await this.requests(event, manager) });
    const created = await this.factory.createMany(
      manager,
      planned.flatMap((p) => p.requests),
      true,
    );
    let next = 0;
    for (const { event, requests } of planned) {
      const own = created.slice(next, next + requests.length);
      next += requests.length;
      this.started.set(
        event.id,
        own.flatMap((run) => (run.claimed ? [run.claimed] : [])),
      );
    }
  }

  /** Drops what was kept for the event; the consumer is done with it (it may have been dead-lettered). */
  forget(eventId: string): void {
    this.started.delete(eventId);
    this.prepared.delete(eventId);
  }

  async execute(event: CloudEvent): Promise<void> {
    if (!isTriggering(event)) return;
    const started = this.started.get(event.id);
    this.forget(event.id);
    await this.executor.executeEventRuns(event.organizationid, event.id, started);
  }

  /** The runs the event's matching automations would start, in creation order. */
  private async requests(event: CloudEvent, manager: EntityManager): Promise<RunRequest[]> {
    const organizationId = event.organizationid;
    const triggered = triggeredBy(await this.index.index(organizationId, manager), event);
    if (triggered.length === 0) return [];
    const { entryId, booking } = eventSubjects(event.type, event.data);
    const prepared = this.prepared.get(event.id) ?? (await this.prepare(event));
    const snapshot = buildSnapshot(event, prepared.entry, booking);
    const orgSandbox = await this.index.sandbox(organizationId, manager);
    // Conditions not met: no run at all (the dry-run says why).
    const matching = triggered.filter(
      (automation) =>
        evaluateCriteria(
          automation.trigger,
          runContext(snapshot, {
            id: automation.id,
            name: automation.name,
            version: automation.version,
          }) as unknown as Record<string, unknown>,
        ).matched,
    );
    return matching.map((automation) => ({
      automation,
      triggerKey: event.id,
      snapshot,
      entryId,
      depth: event.depth,
      sandbox: automation.sandbox || orgSandbox,
      triggerName: prepared.triggerName,
      causationId: event.id,
    }));
  }
}

interface Prepared {
  entry: TableEntry | null;
  triggerName: string | null;
}

// automation.* events never trigger: automations cannot feed on their own runs.
const isTriggering = (event: CloudEvent): boolean =>
  isKnownEventType(event.type) && EVENT_DEFINITIONS[event.type].triggerable;
