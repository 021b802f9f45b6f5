import { Inject, Injectable } from '@nestjs/common';
import {
  validationFailed,
  DomainError,
  FORM_LIMITS,
  type FormFieldBody,
  type Form,
  type FormsCreateCommand,
  type FormsDeleteCommand,
  type FormsGetCommand,
  type FormsListCommand,
  type FormsPublicGetCommand,
  type FormsUpdateCommand,
  type Page,
  type PublicForm,
} from '@rocketlead/contracts';
import { pageOf, TRANSACTION, type Transactional, clientCursor } from '@rocketlead/persistence';
import type { EntityManager } from 'typeorm';
import { assertRoomInOrganization } from '../database/organization-quota';
import { PoolsRepository } from '../pools/pools.repository';
import { CalendarGateway } from './calendar.gateway';
import { defaultDedupeKey, formFieldsOf, formShapeErrors } from './form-definition';
import { FormsRepository, shownForm, type FormFields, type StoredForm } from './forms.repository';

export const formNotFound = (): DomainError => new DomainError('NOT_FOUND', 'Form not found');

/** What anyone may see of a form to render it: its name and inputs, nothing about where submissions go. */
export function publicForm(form: StoredForm): PublicForm {
  return {
    id: form.id,
    name: form.name,
    fields: form.fields.map((field) => ({
      key: field.key,
      label: field.label,
      type: field.type,
      required: field.required,
      ...(field.options ? { options: field.options } : {}),
      ...(field.durationMinutes !== null ? { durationMinutes: field.durationMinutes } : {}),
    })),
  };
}

@Injectable()
export class FormsService {
  constructor(
    private readonly forms: FormsRepository,
    private readonly pools: PoolsRepository,
    private readonly calendars: CalendarGateway,
    @Inject(TRANSACTION) private readonly transaction: Transactional,
  ) {}

  async create(request: FormsCreateCommand): Promise<Form> {
    const fields: FormFields = {
      organizationId: request.organizationId,
      name: request.name,
      tableId: request.tableId,
      fields: formFieldsOf(request.fields),
      dedupeKey: request.dedupeKey ?? defaultDedupeKey(request.fields),
      doubleOptIn: request.doubleOptIn ?? true,
      bookingCalendarId: request.bookingCalendarId ?? null,
      redirectUrl: request.redirectUrl ?? null,
      webhookUrl: request.webhookUrl ?? null,
    };
    await this.check(fields, request.fields, request.dedupeKey, request.traceparent ?? null);
    const form = await this.transaction(async (manager) => {
      await assertRoomInOrganization(
        manager,
        'forms',
        request.organizationId,
        FORM_LIMITS.formsPerOrganization,
        'name',
      );
      return this.forms.insert(manager, fields);
    });
    return shownForm(form);
  }

  async list(request: FormsListCommand): Promise<Page<Form>> {
    const after = clientCursor(request.cursor || undefined);
    // One extra row tells whether another page exists.
    const rows = await this.forms.list(request.organizationId, request.tableId, request.limit + 1, after);
    const page = pageOf(rows, request.limit, (row) => row.position);
    return { items: page.items.map((row) => shownForm(row.form)), nextCursor: page.nextCursor };
  }

  async get(request: FormsGetCommand): Promise<Form> {
    const form = await this.forms.find(request.organizationId, request.id);
    if (!form) throw formNotFound();
    return shownForm(form);
  }

  async publicGet(request: FormsPublicGetCommand): Promise<PublicForm> {
    const form = await this.forms.findPublic(request.id);
    if (!form) throw formNotFound();
    return publicForm(form);
  }

  /** Any of the fields; the form that results is checked as a whole, as on create. */
  update(request: FormsUpdateCommand): Promise<Form> {
    return this.transaction(async (manager: EntityManager) => {
      const current = await this.forms.lock(manager, request.organizationId, request.id);
      if (!current) throw formNotFound();
      const fields: FormFields = {
        organizationId: current.organizationId,
        name: request.name ?? current.name,
        tableId: request.tableId ?? current.tableId,
        fields: request.fields ? formFieldsOf(request.fields) : current.fields,
        // New fields without a key named: the key is chosen again for them.
        dedupeKey:
          request.dedupeKey ?? (request.fields ? defaultDedupeKey(request.fields) : current.dedupeKey),
        doubleOptIn: request.doubleOptIn ?? current.doubleOptIn,
        bookingCalendarId:
          request.bookingCalendarId !== undefined ? request.bookingCalendarId : current.bookingCalendarId,
        redirectUrl: request.redirectUrl !== undefined ? request.redirectUrl : current.redirectUrl,
        webhookUrl: request.webhookUrl !== undefined ? request.webhookUrl : current.webhookUrl,
      };
      await this.check(fields, request.fields, request.dedupeKey, request.traceparent ?? null, current);
      return shownForm(await this.forms.update(manager, current.id, fields));
    });
  }

  /** Deletes the form; links of its staged submissions answer 404 from now on. */
  async delete(request: FormsDeleteCommand): Promise<Form> {
    const form = await this.transaction((manager) =>
      this.forms.delete(manager, request.organizationId, request.id),
    );
    if (!form) throw formNotFound();
    return shownForm(form);
  }

  /** The form as a whole, then the pool and calendar it names (only when they changed, on update). */
  private async check(
    form: FormFields,
    given: FormFieldBody[] | undefined,
    givenKey: string | undefined,
    traceparent: string | null,
    current?: StoredForm,
  ): Promise<void> {
    const errors = formShapeErrors({
      // The fields as sent (an option given to a text field is named), or the stored ones.
      fields:
        given ??
        form.fields.map((field) => ({
          ...field,
          options: field.options ?? undefined,
          durationMinutes: field.durationMinutes ?? undefined,
        })),
      dedupeKey: givenKey ?? null,
      bookingCalendarId: form.bookingCalendarId,
      redirectUrl: form.redirectUrl,
      webhookUrl: form.webhookUrl,
    });
    if (form.tableId !== current?.tableId && !(await this.pools.find(form.organizationId, form.tableId)))
      errors.push({ field: 'tableId', message: 'is not a lead pool of this organization' });
    if (
      form.bookingCalendarId !== null &&
      form.bookingCalendarId !== current?.bookingCalendarId &&
      !(await this.calendars.calendar(form.organizationId, form.bookingCalendarId, traceparent))
    )
      errors.push({ field: 'bookingCalendarId', message: 'is not a calendar of this organization' });
    if (errors.length) throw validationFailed(errors);
  }
}
