import { Injectable } from '@nestjs/common';
import {
  DomainError,
  SUBSCRIBABLE_EVENT_TYPES,
  WEBHOOK_TEST,
  createEvent,
  type CloudEvent,
  type DeliveriesResendCommand,
  type Delivery,
  type DeliveryRequestData,
  type DeliveryWithAttempts,
  type EndpointsTestCommand,
  type EntryDeliveriesCommand,
  type NotificationRequestedData,
  type Page,
} from '@rocketlead/contracts';
import type { EntityManager } from 'typeorm';
import { EndpointsRepository } from '../endpoints/endpoints.repository';
import { clientCursor, GroupWriter, pageOf } from '@rocketlead/persistence';
import { endpointNotFound } from '../endpoints/endpoints.service';
import { patternMatches } from '../endpoints/event-type-patterns';
import { DeliveriesRepository, toDelivery } from './deliveries.repository';
import { DeliveryFactory, type Built } from './delivery-factory';
import type { DeliveryEntity } from './delivery.entity';
import { Dispatcher } from './dispatcher';
import { EVENT_SOURCE } from './outcome-events';

const SUBSCRIBABLE = new Set<string>(SUBSCRIBABLE_EVENT_TYPES);

export const deliveryNotFound = (): DomainError => new DomainError('NOT_FOUND', 'Delivery not found');

/**
 * Creates deliveries (from automation requests, notifications, subscribed events, tests and resends) and
 * hands them to the dispatcher once committed; reads a lead's delivery history.
 */
@Injectable()
export class DeliveriesService {
  // Deliveries built for an event before its transaction (every remote read happens there, so a
  // transaction never waits for a second pool connection or another service), then the rows inserted, sent
  // once it commits. Both are dropped in afterCommit, which also runs for an event handled before.
  private readonly prepared = new Map<string, Built>();
  private readonly created = new Map<string, DeliveryEntity[]>();
  // Subscribed events in hand at the same time share one insert statement (group commit).
  private readonly pending = new GroupWriter<DeliveryEntity[], Set<string>>(async (batches) => {
    const inserted = await this.deliveries.insert(batches.flat());
    return new Set(inserted.map((row) => row.id));
  });

  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly endpoints: EndpointsRepository,
    private readonly factory: DeliveryFactory,
    private readonly dispatcher: Dispatcher,
  ) {}

  /** An automation asks for a delivery: built now (endpoint, suppression, lead), stored by `store`. */
  async prepareRequest(event: CloudEvent<DeliveryRequestData>): Promise<boolean> {
    const endpointId = event.data.webhook?.endpointId ?? null;
    const endpoint = endpointId ? await this.endpoints.find(event.organizationid, endpointId) : undefined;
    this.prepared.set(event.id, await this.factory.fromRequest(event, endpoint));
    return true;
  }

  /** Another service asks for a notification (a form's verification email or webhook); stored by `store`. */
  async prepareNotification(event: CloudEvent<NotificationRequestedData>): Promise<boolean> {
    this.prepared.set(event.id, await this.factory.fromNotification(event));
    return true;
  }

  /** A domain event: false when no endpoint of the organization subscribes to it (acked without a transaction). */
  async prepareSubscribed(event: CloudEvent): Promise<boolean> {
    // A `*` endpoint never gets delivery's own outcomes: a failure notice could fail about itself.
    if (!SUBSCRIBABLE.has(event.type)) return false;
    const endpoints = await this.matching(event);
    if (endpoints.length === 0) return false;
    this.prepared.set(event.id, await this.factory.fromSubscription(event, endpoints));
    return true;
  }

  /**
   * Runs in the event's inbox transaction: inserts the deliveries not made before (a redelivered event
   * finds its own), with the events of those.
   */
  async store(event: CloudEvent, manager: EntityManager): Promise<void> {
    const built = this.preparedFor(event);
    const inserted = await this.deliveries.insert(built.rows, manager);
    const ids = new Set(inserted.map((row) => row.id));
    await this.deliveries.appendEvents(
      manager,
      built.events.filter((e) => ids.has((e.data as { deliveryId: string }).deliveryId)),
    );
    this.created.set(event.id, inserted);
  }

  /**
   * A subscribed event's deliveries (pending, without events) in one statement, with no inbox row and no
   * transaction: the unique idempotency key makes a redelivery insert nothing.
   */
  async storePending(event: CloudEvent): Promise<void> {
    const built = this.preparedFor(event);
    const inserted = await this.pending.add(built.rows);
    this.created.set(
      event.id,
      built.rows.filter((row) => inserted.has(row.id)),
    );
  }

  /** After the event's transaction committed (or on a redelivery of a handled event): send what it made. */
  sendCreated(event: CloudEvent): Promise<void> {
    const rows = this.created.get(event.id);
    // Only requests that failed at once write events; a subscribed event never does.
    if (this.prepared.get(event.id)?.events.length) this.deliveries.committed();
    this.created.delete(event.id);
    this.prepared.delete(event.id);
    if (rows) this.dispatcher.enqueue(rows);
    return Promise.resolve();
  }

  async test(command: EndpointsTestCommand): Promise<Delivery> {
    const organizationId = command.actor.organizationId;
    const endpoint = await this.endpoints.find(organizationId, command.id);
    if (!endpoint) throw endpointNotFound();
    const event = createEvent({
      type: WEBHOOK_TEST,
      source: EVENT_SOURCE,
      subject: endpoint.id,
      data: { endpointId: endpoint.id, message: 'A test event from RocketLead' },
      actor: command.actor,
    });
    const row = this.factory.test(organizationId, endpoint, event);
    await this.insertAndSend([row]);
    return toDelivery(row);
  }

  async resend(command: DeliveriesResendCommand): Promise<Delivery> {
    const original = await this.deliveries.find(command.actor.organizationId, command.id);
    if (!original) throw deliveryNotFound();
    const row = this.factory.resend(original, command.actor.correlationId);
    await this.insertAndSend([row]);
    return toDelivery(row);
  }

  async history(command: EntryDeliveriesCommand): Promise<Page<DeliveryWithAttempts>> {
    const after = clientCursor(command.cursor);
    const rows = await this.deliveries.history(
      command.organizationId,
      command.entryId,
      command.limit + 1,
      after,
    );
    return pageOf(rows, command.limit, (d) => ({ at: d.createdAt, id: d.id }));
  }

  private async matching(event: CloudEvent) {
    const endpoints = await this.endpoints.subscribed(event.organizationid);
    return endpoints.filter((e) => e.eventTypes.some((pattern) => patternMatches(pattern, event.type)));
  }

  /** prepare* runs before every attempt of the handler; without its result there is nothing to store. */
  private preparedFor(event: CloudEvent): Built {
    const built = this.prepared.get(event.id);
    if (!built) throw new Error(`deliveries of event ${event.id} were not prepared`);
    return built;
  }

  private async insertAndSend(rows: DeliveryEntity[]): Promise<void> {
    this.dispatcher.enqueue(await this.deliveries.insert(rows));
  }
}
