import { Inject, Injectable } from '@nestjs/common';
import {
  validationFailed,
  DomainError,
  FORM_LIMITS,
  FORM_SUBMITTED,
  NOTIFICATION_REQUESTED,
  assertWithinLimits,
  isDomainError,
  uuidv7,
  type Actor,
  type Booking,
  type CloudEvent,
  type EntryData,
  type FormSubmitResult,
  type FormSubmittedData,
  type FormVerifyResult,
  type FormsSubmitCommand,
  type FormsVerifyCommand,
  type NotificationRequestedData,
  type PublicRequestMessage,
  type TableEntry,
} from '@rocketlead/contracts';
import type { EntityManager } from 'typeorm';
import { ServiceOutbox } from '@rocketlead/messaging';
import { JsonLogger } from '@rocketlead/observability';
import { TRANSACTION, type Transactional } from '@rocketlead/persistence';
import { LEADS_CONFIG } from '../config.token';
import type { LeadsConfig } from '../config';
import { EntriesRepository } from '../entries/entries.repository';
import { EntriesService } from '../entries/entries.service';
import { entryEvent } from '../entries/entry-events';
import { normaliseKey } from '../entries/dedupe-keys';
import { ContactMatchingRepository } from '../contacts/contact-matching.repository';
import { PoolsRepository } from '../pools/pools.repository';
import { CalendarGateway } from './calendar.gateway';
import { checkValues, isHoneypotFilled, type CheckedValues } from './form-values';
import { FormSubmissionsRepository } from './form-submissions.repository';
import { FormsRepository, type StoredForm } from './forms.repository';
import { formNotFound } from './forms.service';
import { verificationEmail } from './verification-email';

const HOUR_MS = 3_600_000;

/** Who submits a form: nobody known, through the form channel of the form's organization. */
function formActor(form: StoredForm, request: PublicRequestMessage): Actor {
  return {
    organizationId: form.organizationId,
    channel: 'form',
    apiTokenId: null,
    memberId: null,
    correlationId: request.correlationId,
    traceparent: request.traceparent,
  };
}

/** The address a contact confirms with: the entry's value of the form's first email field, else `email`. */
function contactEmail(form: StoredForm, entry: TableEntry): string | null {
  const key = form.fields.find((field) => field.type === 'email')?.key ?? 'email';
  const value = entry.data[key] ?? entry.data.email;
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/**
 * Public form submissions (the RocketLead form widget): a new contact is created at once; an existing one
 * (matched on the form's dedupe key, normalised as duplicate detection does) is updated only after it
 * follows an emailed single-use link, when the form asks for double opt-in. Every applied submission emits
 * `form.submitted` after the entry's own events, in the same commit, and is sent to the form's webhook.
 */
@Injectable()
export class FormSubmissionsService {
  constructor(
    private readonly forms: FormsRepository,
    private readonly submissions: FormSubmissionsRepository,
    private readonly contacts: ContactMatchingRepository,
    private readonly pools: PoolsRepository,
    private readonly entries: EntriesService,
    private readonly entryRows: EntriesRepository,
    private readonly calendars: CalendarGateway,
    private readonly outbox: ServiceOutbox,
    private readonly logger: JsonLogger,
    @Inject(LEADS_CONFIG) private readonly config: LeadsConfig,
    @Inject(TRANSACTION) private readonly transaction: Transactional,
  ) {}

  async submit(command: FormsSubmitCommand): Promise<FormSubmitResult> {
    const form = await this.forms.findPublic(command.formId);
    if (!form) throw formNotFound();
    // A bot filled the hidden field: it is answered like anyone else (an id that leads nowhere), nothing is kept.
    if (isHoneypotFilled(command.values)) return { status: 'accepted', entryId: uuidv7() };
    assertWithinLimits(command.values, { path: 'values', depth: 1 });
    const checked = checkValues(form.fields, command.values);
    if (!checked.ok) throw validationFailed(checked.errors);
    const actor = formActor(form, command.request);
    const contact = await this.contactKey(form, checked.values);
    if (contact === null) return this.createContact(form, actor, checked.values);
    // One submission per contact at a time (across replicas): two first submissions of one person must not
    // both find no contact and create two.
    return this.contacts.exclusively(`${form.tableId}:${form.dedupeKey}:${contact.value}`, async () => {
      const existingId = await this.contacts.findContact(
        form.organizationId,
        form.tableId,
        form.dedupeKey,
        contact.value,
        contact.region,
      );
      if (existingId === null) return this.createContact(form, actor, checked.values);
      if (form.doubleOptIn) return this.stage(form, actor, existingId, checked.values);
      const entry = await this.apply(form, actor, existingId, uuidv7(), checked.values);
      return { status: 'accepted', entryId: entry.id };
    });
  }

  /** Follows a verification link: applies the staged submission once (404 unknown, 410 used or expired). */
  async verify(command: FormsVerifyCommand): Promise<FormVerifyResult> {
    const state = await this.submissions.state(command.token);
    if (state === 'unknown') throw new DomainError('NOT_FOUND', 'Verification link not found');
    if (state === 'spent') throw spentLink();
    let booked: { actor: Actor; booking: Booking } | null = null;
    try {
      const result = await this.transaction(async (manager) => {
        // Used in this transaction: if applying fails, the link stays usable.
        const staged = await this.submissions.use(manager, command.token);
        if (!staged) throw spentLink();
        const form = await this.forms.find(staged.organizationId, staged.formId, manager);
        if (!form) throw new DomainError('NOT_FOUND', 'Verification link not found');
        const actor = formActor(form, command.request);
        if (staged.bookingStart !== null) {
          booked = {
            actor,
            booking: await this.book(form, actor, staged.entryId, staged.bookingStart, false),
          };
        }
        await this.applyIn(manager, form, actor, staged.entryId, staged.id, staged.data);
        return { formName: form.name, redirectUrl: form.redirectUrl };
      });
      this.outbox.committed();
      return result;
    } catch (error) {
      await this.undoBooking(booked);
      throw error;
    }
  }

  /**
   * The normalised value identifying the contact (with the pool's phone region), or null when the submission
   * has none: then it can only be a new contact.
   */
  private async contactKey(
    form: StoredForm,
    values: CheckedValues,
  ): Promise<{ value: string; region: string | null } | null> {
    const pool = await this.pools.findCached(form.organizationId, form.tableId);
    // The pool was deleted after the form was made: nothing can be stored.
    if (!pool) throw new DomainError('CONFLICT', "The form's lead pool no longer exists");
    const region = pool.dedupe?.phoneRegion ?? null;
    const value = normaliseKey(form.dedupeKey, values.data[form.dedupeKey], region);
    return value === null ? null : { value, region };
  }

  /**
   * A new contact: the appointment first (a taken slot is a 409 before anything is stored), then the entry
   * with its events and `form.submitted`. If the entry cannot be stored, the appointment is removed again.
   */
  private async createContact(
    form: StoredForm,
    actor: Actor,
    values: CheckedValues,
  ): Promise<FormSubmitResult> {
    const entryId = uuidv7();
    await this.withBooking(form, actor, entryId, values.bookingStart, true, () =>
      this.entries.create(
        { actor, tableId: form.tableId, data: values.data, schemaMode: 'infer' },
        { id: entryId, followedBy: () => this.submittedEvents(form, actor, uuidv7(), entryId, true) },
      ),
    );
    return { status: 'accepted', entryId };
  }

  /** An existing contact, without double opt-in: updated at once, like after a verification. */
  private async apply(
    form: StoredForm,
    actor: Actor,
    entryId: string,
    submissionId: string,
    values: CheckedValues,
  ): Promise<TableEntry> {
    return this.withBooking(form, actor, entryId, values.bookingStart, false, async () => {
      const entry = await this.transaction((manager) =>
        this.applyIn(manager, form, actor, entryId, submissionId, values.data),
      );
      this.outbox.committed();
      return entry;
    });
  }

  /** Merges a submission into its existing contact, then `form.submitted`, in `manager`'s transaction. */
  private async applyIn(
    manager: EntityManager,
    form: StoredForm,
    actor: Actor,
    entryId: string,
    submissionId: string,
    data: EntryData,
  ): Promise<TableEntry> {
    const updated = await this.entries.updateIn(manager, { actor, id: entryId, data, schemaMode: 'infer' });
    await this.outbox.append(manager, this.submittedEvents(form, actor, submissionId, entryId, false));
    return updated;
  }

  /**
   * `work` after booking the submission's appointment, if it asks for one (a taken slot fails before `work`);
   * the appointment is removed again when `work` fails.
   */
  private async withBooking<T>(
    form: StoredForm,
    actor: Actor,
    entryId: string,
    bookingStart: string | null,
    entryVouched: boolean,
    work: () => Promise<T>,
  ): Promise<T> {
    const booking =
      bookingStart !== null ? await this.book(form, actor, entryId, bookingStart, entryVouched) : null;
    try {
      return await work();
    } catch (error) {
      await this.undoBooking(booking ? { actor, booking } : null);
      throw error;
    }
  }

  /**
   * An existing contact, with double opt-in: nothing changes yet. The submission is kept with the hash of a
   * single-use token, and the link goes to the contact's address (not the one submitted: whoever submits
   * must not be able to confirm for someone else).
   */
  private async stage(
    form: StoredForm,
    actor: Actor,
    entryId: string,
    values: CheckedValues,
  ): Promise<FormSubmitResult> {
    const entry = await this.entryRows.find(form.organizationId, entryId);
    const to = entry ? contactEmail(form, entry) : null;
    if (!to)
      throw new DomainError(
        'CONFLICT',
        'This contact has no email address to confirm the submission with; nothing was changed',
      );
    const token = this.submissions.newToken();
    const id = this.submissions.newId();
    const expiresAt = new Date(this.submissions.now().getTime() + FORM_LIMITS.verificationHours * HOUR_MS);
    const link = `${this.config.PUBLIC_BASE_URL}/public/forms/verify?token=${encodeURIComponent(token)}`;
    const email = verificationEmail(form.name, link, FORM_LIMITS.verificationHours);
    await this.transaction(async (manager) => {
      await this.submissions.stage(
        manager,
        {
          id,
          organizationId: form.organizationId,
          formId: form.id,
          entryId,
          data: values.data,
          bookingStart: values.bookingStart,
        },
        token,
        expiresAt,
      );
      await this.outbox.append(manager, [
        this.notification(actor, entryId, {
          idempotencyKey: `form-verification:${id}`,
          entryId,
          kind: 'email',
          email: { to, ...email },
          webhook: null,
        }),
      ]);
    });
    this.outbox.committed();
    return { status: 'pending_verification' };
  }

  /** The appointment of a booking field, for `durationMinutes` from its start. */
  private book(
    form: StoredForm,
    actor: Actor,
    entryId: string,
    start: string,
    entryVouched: boolean,
  ): Promise<Booking> {
    const field = form.fields.find((f) => f.type === 'booking');
    // Checked when the form was saved: a booking field has a duration and the form a calendar.
    if (!field?.durationMinutes || !form.bookingCalendarId)
      throw new DomainError('CONFLICT', 'The form has no calendar to book on');
    const startAt = new Date(start);
    return this.calendars.book(
      actor,
      {
        calendarId: form.bookingCalendarId,
        start: startAt,
        end: new Date(startAt.getTime() + field.durationMinutes * 60_000),
        entryId,
        title: form.name,
      },
      entryVouched,
    );
  }

  /** Removes an appointment whose submission was not stored; a failure is logged, the first error stands. */
  private async undoBooking(booked: { actor: Actor; booking: Booking } | null): Promise<void> {
    if (!booked) return;
    try {
      await this.calendars.unbook(booked.actor, booked.booking.id);
    } catch (error) {
      this.logger.event(
        'error',
        'could not remove the appointment of a form submission that was not stored',
        {
          bookingId: booked.booking.id,
          error: isDomainError(error) ? error.message : String(error),
        },
      );
    }
  }

  /** `form.submitted`, then (with a webhook URL) the request to send the lead there, Lead Actions style. */
  private submittedEvents(
    form: StoredForm,
    actor: Actor,
    submissionId: string,
    entryId: string,
    isNewContact: boolean,
  ): CloudEvent[] {
    const data: FormSubmittedData = {
      formId: form.id,
      formName: form.name,
      submissionId,
      entryId,
      tableId: form.tableId,
      isNewContact,
    };
    const events: CloudEvent[] = [entryEvent(actor, FORM_SUBMITTED, entryId, data)];
    if (form.webhookUrl)
      events.push(
        this.notification(actor, entryId, {
          idempotencyKey: `form-webhook:${submissionId}`,
          entryId,
          kind: 'webhook',
          email: null,
          webhook: { url: form.webhookUrl, formCode: isNewContact ? 'deliveryall' : 'updatedall' },
        }),
      );
    return events;
  }

  private notification(
    actor: Actor,
    entryId: string,
    data: NotificationRequestedData,
  ): CloudEvent<NotificationRequestedData> {
    return entryEvent(actor, NOTIFICATION_REQUESTED, entryId, data);
  }
}

const spentLink = (): DomainError =>
  new DomainError('GONE', 'This verification link was already used or has expired');
