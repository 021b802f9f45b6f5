import { Inject, Injectable } from '@nestjs/common';
import {
  createEvent,
  EVENT_REGISTRATION_CANCELLED,
  EVENT_REGISTRATION_CREATED,
  normaliseEmail,
  type Actor,
  type CloudEvent,
  type EventRegistration,
  type EventRegistrationData,
  type PublicRequestMessage,
  type Page,
  type RegistrationResult,
  type RegistrationsListCommand,
  type RegistrationsRegisterCommand,
  type RegistrationsRsvpCancelCommand,
  type RegistrationsRsvpCommand,
  type RsvpResult,
} from '@rocketlead/contracts';
import { ServiceOutbox } from '@rocketlead/messaging';
import { currentTraceparent } from '@rocketlead/observability';
import { clientCursor, pageOf, TRANSACTION, type Transactional } from '@rocketlead/persistence';
import { LeadsGateway } from '../gateways/leads.gateway';
import {
  checkEmail,
  eventFull,
  eventNotFound,
  registrationNotFound,
  registrationStep,
} from './crm-event-rules';
import { CrmEventsRepository, type StoredCrmEvent } from './crm-events.repository';
import { RegistrationsRepository, toRegistration, type Registrant } from './registrations.repository';

const SOURCE = '/calendar';

/** Who acts for a public RSVP or cancel: the visitor, through a form, in the event's organization. */
const publicActor = (organizationId: string, request: PublicRequestMessage): Actor => ({
  organizationId,
  channel: 'form',
  apiTokenId: null,
  memberId: null,
  correlationId: request.correlationId,
  traceparent: request.traceparent,
});

/** Registrations for CRM events: public RSVPs, Eventbrite orders (through integrations), and their list. */
@Injectable()
export class RegistrationsService {
  constructor(
    private readonly events: CrmEventsRepository,
    private readonly registrations: RegistrationsRepository,
    private readonly leads: LeadsGateway,
    private readonly outbox: ServiceOutbox,
    @Inject(TRANSACTION) private readonly transaction: Transactional,
  ) {}

  async list(command: RegistrationsListCommand): Promise<Page<EventRegistration>> {
    const after = clientCursor(command.cursor);
    if (!(await this.events.find(command.organizationId, command.id))) throw eventNotFound();
    // One extra row tells whether another page exists.
    const rows = await this.registrations.list(
      command.organizationId,
      command.id,
      command.status,
      command.limit + 1,
      after,
    );
    const page = pageOf(rows, command.limit, (row) => ({ at: row.createdAt.toISOString(), id: row.id }));
    return { items: page.items.map(toRegistration), nextCursor: page.nextCursor };
  }

  /**
   * A public RSVP. A full event is refused before any contact is made for it (unless this address is
   * registered already: that answers 200); the capacity is checked again under the event's lock.
   */
  async rsvp(command: RegistrationsRsvpCommand): Promise<RsvpResult> {
    const event = await this.events.findPublic(command.eventId);
    if (!event) throw eventNotFound();
    checkEmail(command.email);
    const email = normaliseEmail(command.email);
    if (
      event.capacity !== null &&
      event.registeredCount >= event.capacity &&
      !(await this.registrations.hasActiveByEmail(event.organizationId, event.id, email))
    )
      throw eventFull();
    const actor = publicActor(event.organizationId, command.request);
    const contact = await this.leads.resolveContact(actor, event.tableId, {
      email: command.email.trim(),
      name: command.name ?? null,
      phone: command.phone ?? null,
    });
    const result = await this.registering(
      actor,
      event.id,
      { entryId: contact.entryId, tableId: null, email, source: 'rsvp', externalOrderId: null },
      true,
    );
    return {
      status: result.created ? 'registered' : 'already_registered',
      registrationId: result.registration.id,
      entryId: contact.entryId,
    };
  }

  /** Cancels the active registration of this address; `event.registration.cancelled` for each one cancelled. */
  async rsvpCancel(command: RegistrationsRsvpCancelCommand): Promise<EventRegistration> {
    const event = await this.events.findPublic(command.eventId);
    if (!event) throw eventNotFound();
    const email = normaliseEmail(command.email);
    const actor = publicActor(event.organizationId, command.request);
    const cancelled = await this.transaction(async (manager) => {
      const rows = await this.registrations.cancelActiveByEmail(
        manager,
        event.organizationId,
        event.id,
        email,
      );
      await this.outbox.append(
        manager,
        rows.map((row) =>
          this.registrationEvent(
            EVENT_REGISTRATION_CANCELLED,
            actor,
            event,
            toRegistration(row),
            row.tableId ?? event.tableId,
          ),
        ),
      );
      return rows;
    });
    if (!cancelled[0]) throw registrationNotFound();
    this.outbox.committed();
    return toRegistration(cancelled[0]);
  }

  /** A contact integrations resolved from an Eventbrite order: no capacity check (a sold ticket is a place). */
  async register(command: RegistrationsRegisterCommand): Promise<RegistrationResult> {
    checkEmail(command.email);
    return this.registering(
      command.actor,
      command.eventId,
      {
        entryId: command.entryId,
        tableId: command.tableId ?? null,
        email: normaliseEmail(command.email),
        source: command.source,
        externalOrderId: command.externalOrderId ?? null,
      },
      false,
    );
  }

  /**
   * Creates, re-activates or finds the registration under the event's row lock, so concurrent requests for
   * one event are taken one at a time: identical ones make one registration and one event, and a capacity
   * check cannot be passed by two for the last place. `event.registration.created` only when it took a place.
   */
  private async registering(
    actor: Actor,
    eventId: string,
    registrant: Registrant,
    checkCapacity: boolean,
  ): Promise<RegistrationResult> {
    const organizationId = actor.organizationId;
    const result = await this.transaction(async (manager) => {
      const event = await this.events.lock(manager, organizationId, eventId);
      if (!event) throw eventNotFound();
      const existing = await this.registrations.findByEntry(
        manager,
        organizationId,
        eventId,
        registrant.entryId,
      );
      const capacity = checkCapacity ? event.capacity : null;
      const step = registrationStep(existing?.status ?? null, capacity, event.registeredCount);
      if (step === 'already_active') return { registration: toRegistration(existing!), created: false };
      if (step === 'full') throw eventFull();
      const placed = { ...registrant, tableId: registrant.tableId ?? event.tableId };
      const row =
        step === 'reactivate'
          ? await this.registrations.reactivate(manager, existing!, placed)
          : await this.registrations.insert(manager, organizationId, eventId, placed);
      const registration = toRegistration(row);
      await this.outbox.append(manager, [
        this.registrationEvent(EVENT_REGISTRATION_CREATED, actor, event, registration, placed.tableId),
      ]);
      return { registration, created: true };
    });
    if (result.created) this.outbox.committed();
    return result;
  }

  private registrationEvent(
    type: typeof EVENT_REGISTRATION_CREATED | typeof EVENT_REGISTRATION_CANCELLED,
    actor: Actor,
    event: StoredCrmEvent,
    registration: EventRegistration,
    tableId: string,
  ): CloudEvent<EventRegistrationData> {
    return createEvent({
      type,
      source: SOURCE,
      // About the contact, as the other entry events are.
      subject: registration.entryId,
      data: {
        registrationId: registration.id,
        eventId: event.id,
        eventName: event.name,
        entryId: registration.entryId,
        tableId,
        source: registration.source,
      },
      actor: { ...actor, traceparent: currentTraceparent(actor.traceparent) },
    });
  }
}
