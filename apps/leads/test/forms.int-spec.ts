import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import {
  COMMANDS,
  DomainError,
  FORM_SUBMITTED,
  NOTIFICATION_REQUESTED,
  TABLE_ENTRY_ADDED,
  TABLE_ENTRY_UPDATED,
  uuidv7,
  type Actor,
  type Form,
  type FormSubmittedData,
  type LeadPool,
  type NotificationRequestedData,
} from '@rocketlead/contracts';
import {
  commandSender,
  eventually,
  failure,
  type CommandSender,
  type EventCollector,
} from '@rocketlead/testing';
import { FormSubmissionsSweeper } from '../src/forms/form-submissions.sweeper';
import { startLeads, type LeadsUnderTest } from './support';

const fields = (error: DomainError): string[] =>
  ((error.details?.errors ?? []) as { field: string }[]).map((e) => e.field);

const request = { correlationId: 'forms-test', traceparent: null };

describe('leads forms: definitions, submissions, double opt-in tokens (real Postgres and NATS)', () => {
  let leads: LeadsUnderTest;
  let send: CommandSender;
  let tableEvents: EventCollector;
  let formEvents: EventCollector;
  let notifications: EventCollector;
  let db: DataSource;

  async function organization(): Promise<{ org: string; actor: Actor; pool: LeadPool }> {
    const org = uuidv7();
    const actor: Actor = {
      organizationId: org,
      channel: 'connect_api',
      apiTokenId: uuidv7(),
      memberId: null,
      correlationId: 'forms-test',
      traceparent: null,
    };
    const pool = await send(COMMANDS.poolsCreate, { organizationId: org, name: 'Website' });
    await send(COMMANDS.leadStatesCreate, {
      organizationId: org,
      tableId: pool.id,
      name: 'New',
      isDefault: true,
    });
    return { org, actor, pool };
  }

  const contactForm = (org: string, tableId: string, extra: Record<string, unknown> = {}): Promise<Form> =>
    send(COMMANDS.formsCreate, {
      organizationId: org,
      name: 'Contact us',
      tableId,
      fields: [
        { key: 'name', label: 'Name', type: 'string', required: true },
        { key: 'email', label: 'Email', type: 'email', required: true },
        { key: 'size', label: 'Team size', type: 'number' },
        { key: 'plan', label: 'Plan', type: 'select', options: ['basic', 'pro'] },
        { key: 'newsletter', label: 'Newsletter', type: 'boolean' },
      ],
      ...extra,
    });

  const submit = (formId: string, values: Record<string, unknown>) =>
    send(COMMANDS.formsSubmit, { formId, values, request });

  /** The verification link's token of the email sent for a staged submission to `to`. */
  async function tokenSentTo(to: string): Promise<string> {
    const event = await eventually(() => {
      const found = notifications.events.find(
        (e) => (e.body.data as unknown as NotificationRequestedData).email?.to === to,
      );
      if (!found) throw new Error(`no verification email to ${to} yet`);
      return found;
    });
    const text = (event.body.data as unknown as NotificationRequestedData).email!.text;
    const link = /https?:\/\/\S+\/public\/forms\/verify\?token=(\S+)/.exec(text);
    expect(link).not.toBeNull();
    return decodeURIComponent(link![1]!);
  }

  const submittedOf = (entryId: string) =>
    formEvents.events.filter((e) => e.body.type === FORM_SUBMITTED && e.body.subject === entryId);

  beforeAll(async () => {
    leads = await startLeads('forms');
    send = commandSender(leads.nc, leads.names);
    tableEvents = await leads.collect('LEADS');
    formEvents = await leads.collect('FORMS');
    notifications = await leads.collect('NOTIFICATIONS');
    db = leads.app.get(DataSource);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([tableEvents?.stop(), formEvents?.stop(), notifications?.stop()]);
    await leads?.stop();
  }, 120_000);

  it('creates, reads, pages, updates and deletes forms; the public definition shows nothing internal', async () => {
    const { org, pool } = await organization();
    const form = await contactForm(org, pool.id, { redirectUrl: 'https://example.test/thanks' });
    expect(form).toMatchObject({
      name: 'Contact us',
      tableId: pool.id,
      dedupeKey: 'email',
      doubleOptIn: true,
      bookingCalendarId: null,
      redirectUrl: 'https://example.test/thanks',
      webhookUrl: null,
    });
    expect(form.fields[3]).toEqual({
      key: 'plan',
      label: 'Plan',
      type: 'select',
      required: false,
      options: ['basic', 'pro'],
      durationMinutes: null,
    });
    const second = await contactForm(org, pool.id, { name: 'Second' });
    const first = await send(COMMANDS.formsList, { organizationId: org, limit: 1 });
    expect(first.items.map((f) => f.id)).toEqual([second.id]);
    const rest = await send(COMMANDS.formsList, { organizationId: org, limit: 1, cursor: first.nextCursor! });
    expect(rest.items.map((f) => f.id)).toEqual([form.id]);
    expect(rest.nextCursor).toBeNull();

    const shown = await send(COMMANDS.formsPublicGet, { id: form.id });
    expect(Object.keys(shown).sort()).toEqual(['fields', 'id', 'name']);
    expect(shown.fields[0]).toEqual({ key: 'name', label: 'Name', type: 'string', required: true });
    expect(shown.fields[3]).toMatchObject({ options: ['basic', 'pro'] });

    const renamed = await send(COMMANDS.formsUpdate, {
      organizationId: org,
      id: form.id,
      name: 'Contact',
      doubleOptIn: false,
      redirectUrl: null,
    });
    expect(renamed).toMatchObject({
      name: 'Contact',
      doubleOptIn: false,
      redirectUrl: null,
      dedupeKey: 'email',
    });
    // The fields as read (with their null options and durationMinutes) can be sent back changed.
    const relabelled = form.fields.map((field, i) => (i === 0 ? { ...field, label: 'Your name' } : field));
    const edited = await send(COMMANDS.formsUpdate, { organizationId: org, id: form.id, fields: relabelled });
    expect(edited.fields).toEqual(relabelled);
    // Another organization sees nothing of it.
    const other = await organization();
    expect((await failure(send(COMMANDS.formsGet, { organizationId: other.org, id: form.id }))).code).toBe(
      'NOT_FOUND',
    );
    await send(COMMANDS.formsDelete, { organizationId: org, id: form.id });
    expect((await failure(send(COMMANDS.formsGet, { organizationId: org, id: form.id }))).code).toBe(
      'NOT_FOUND',
    );
    expect((await failure(send(COMMANDS.formsPublicGet, { id: form.id }))).code).toBe('NOT_FOUND');
  });

  it('refuses a form that does not hold together, naming each field', async () => {
    const { org, pool } = await organization();
    const error = await failure(
      send(COMMANDS.formsCreate, {
        organizationId: org,
        name: 'Broken',
        tableId: pool.id,
        fields: [
          { key: 'name', label: 'Name', type: 'string', options: ['x'] },
          { key: 'name', label: 'Again', type: 'select' },
          { key: 'slot', label: 'Slot', type: 'booking' },
        ],
        webhookUrl: 'ftp://example.test/hook',
      }),
    );
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(fields(error).sort()).toEqual(
      ['fields[0].options', 'fields[1].key', 'fields[1].options', 'bookingCalendarId', 'webhookUrl'].sort(),
    );
    const otherPool = await organization();
    const wrongPool = await failure(contactForm(org, otherPool.pool.id));
    expect(fields(wrongPool)).toEqual(['tableId']);
  });

  it('a new contact is created at once: entry (channel form), then form.submitted in order, and the webhook request', async () => {
    const { org, pool } = await organization();
    const form = await contactForm(org, pool.id, { webhookUrl: 'http://127.0.0.1:9/hook?secret=s' });
    const result = await submit(form.id, {
      name: 'Ada',
      email: 'Ada@Example.test',
      size: '12',
      plan: 'pro',
      newsletter: 'on',
      unknown: 'dropped',
    });
    expect(result.status).toBe('accepted');
    const entryId = (result as { entryId: string }).entryId;
    const entry = await send(COMMANDS.entriesGet, { organizationId: org, id: entryId });
    expect(entry.data).toEqual({
      name: 'Ada',
      email: 'Ada@Example.test',
      size: 12,
      plan: 'pro',
      newsletter: true,
    });
    const added = await eventually(() => {
      const found = tableEvents.events.find(
        (e) => e.body.type === TABLE_ENTRY_ADDED && e.body.subject === entryId,
      );
      if (!found) throw new Error('no table.entry.added yet');
      return found;
    });
    expect(added.body.channel).toBe('form');
    const submitted = await eventually(() => {
      const found = submittedOf(entryId)[0];
      if (!found) throw new Error('no form.submitted yet');
      return found;
    });
    expect(submitted.body.data as unknown as FormSubmittedData).toMatchObject({
      formId: form.id,
      formName: 'Contact us',
      entryId,
      tableId: pool.id,
      isNewContact: true,
    });
    // Written after the entry's own events, in the same commit: its outbox position is later.
    const positions = (await db.query(
      `SELECT type FROM leads.outbox WHERE payload ->> 'subject' = $1 ORDER BY id`,
      [entryId],
    )) as { type: string }[];
    expect(positions.map((r) => r.type)).toEqual([
      TABLE_ENTRY_ADDED,
      'table.entry.leadState.changed',
      FORM_SUBMITTED,
      NOTIFICATION_REQUESTED,
    ]);
    const webhook = await eventually(() => {
      const found = notifications.events.find((e) => e.body.subject === entryId);
      if (!found) throw new Error('no webhook request yet');
      return found;
    });
    expect((webhook.body.data as unknown as NotificationRequestedData).webhook).toEqual({
      url: 'http://127.0.0.1:9/hook?secret=s',
      formCode: 'deliveryall',
    });
  });

  it('validates values against the fields, naming each, and stores nothing', async () => {
    const { org, pool } = await organization();
    const form = await contactForm(org, pool.id);
    const error = await failure(
      submit(form.id, { name: '', email: 'not-an-email', size: 'many', plan: 'gold' }),
    );
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(fields(error).sort()).toEqual(['email', 'name', 'plan', 'size']);
    const entries = await send(COMMANDS.entriesList, { organizationId: org, tableId: pool.id, limit: 10 });
    expect(entries.items).toHaveLength(0);
    expect((await failure(submit(uuidv7(), { name: 'x' }))).code).toBe('NOT_FOUND');
  });

  it('drops a submission whose honeypot is filled, answering as if accepted', async () => {
    const { org, pool } = await organization();
    const form = await contactForm(org, pool.id);
    const result = await submit(form.id, { name: 'Bot', email: 'bot@example.test', _hp: 'http://spam' });
    expect(result.status).toBe('accepted');
    const entries = await send(COMMANDS.entriesList, { organizationId: org, tableId: pool.id, limit: 10 });
    expect(entries.items).toHaveLength(0);
  });

  it('an existing contact with double opt-in: staged, emailed, applied once by its link; reuse and expiry are 410', async () => {
    const { org, pool } = await organization();
    const form = await contactForm(org, pool.id, { redirectUrl: 'https://example.test/thanks' });
    const created = await submit(form.id, { name: 'Grace', email: 'grace@example.test', plan: 'basic' });
    const entryId = (created as { entryId: string }).entryId;

    // The same person (email written differently): nothing changes yet.
    const staged = await submit(form.id, { name: 'Grace H.', email: ' GRACE@example.test ', plan: 'pro' });
    expect(staged).toEqual({ status: 'pending_verification' });
    expect((await send(COMMANDS.entriesGet, { organizationId: org, id: entryId })).data.plan).toBe('basic');
    // The link goes to the contact's stored address, and only its hash is kept.
    const token = await tokenSentTo('grace@example.test');
    const stored = (await db.query(`SELECT token_hash FROM leads.form_submissions WHERE entry_id = $1`, [
      entryId,
    ])) as { token_hash: string }[];
    expect(stored).toHaveLength(1);
    expect(stored[0]!.token_hash).not.toContain(token);

    const verified = await send(COMMANDS.formsVerify, { token, request });
    expect(verified).toEqual({ formName: 'Contact us', redirectUrl: 'https://example.test/thanks' });
    const entry = await send(COMMANDS.entriesGet, { organizationId: org, id: entryId });
    expect(entry.data).toMatchObject({ name: 'Grace H.', plan: 'pro' });
    await eventually(() => {
      const updated = tableEvents.events.filter(
        (e) => e.body.type === TABLE_ENTRY_UPDATED && e.body.subject === entryId,
      );
      expect(updated).toHaveLength(1);
      const submitted = submittedOf(entryId).map(
        (e) => (e.body.data as unknown as FormSubmittedData).isNewContact,
      );
      expect(submitted).toEqual([true, false]);
      return true;
    });

    // Used once: a second click is 410, and nothing happens again.
    expect((await failure(send(COMMANDS.formsVerify, { token, request }))).code).toBe('GONE');
    expect((await failure(send(COMMANDS.formsVerify, { token: 'never-issued', request }))).code).toBe(
      'NOT_FOUND',
    );

    // An expired link is 410 too.
    await submit(form.id, { name: 'Grace', email: 'grace@example.test', plan: 'basic' });
    const later = await eventually(() => {
      const tokens = notifications.events.filter(
        // The stored address is the one confirmed last ('GRACE@example.test'): compared ignoring case.
        (e) =>
          (e.body.data as unknown as NotificationRequestedData).email?.to.toLowerCase() ===
          'grace@example.test',
      );
      if (tokens.length < 2) throw new Error('no second verification email yet');
      return /token=(\S+)/.exec(
        (tokens[1]!.body.data as unknown as NotificationRequestedData).email!.text,
      )![1]!;
    });
    await db.query(
      `UPDATE leads.form_submissions SET expires_at = now() - interval '1 second'
       WHERE entry_id = $1 AND used_at IS NULL`,
      [entryId],
    );
    expect(
      (await failure(send(COMMANDS.formsVerify, { token: decodeURIComponent(later), request }))).code,
    ).toBe('GONE');
    expect((await send(COMMANDS.entriesGet, { organizationId: org, id: entryId })).data.plan).toBe('pro');
  });

  it('concurrent clicks on one link apply it once', async () => {
    const { org, pool } = await organization();
    const form = await contactForm(org, pool.id);
    const created = await submit(form.id, { name: 'Lin', email: 'lin@example.test' });
    const entryId = (created as { entryId: string }).entryId;
    await submit(form.id, { name: 'Lin K.', email: 'lin@example.test' });
    const token = await tokenSentTo('lin@example.test');
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, () => send(COMMANDS.formsVerify, { token, request })),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes)
      if (o.status === 'rejected') expect((o.reason as DomainError).code).toBe('GONE');
    await eventually(() => submittedOf(entryId).length === 2);
  });

  it('without double opt-in an existing contact is updated at once, matched by a normalised phone number', async () => {
    const { org, pool } = await organization();
    await send(COMMANDS.poolsUpdate, {
      organizationId: org,
      id: pool.id,
      dedupe: { keys: ['phone'], phoneRegion: 'DE' },
    });
    const form = await send(COMMANDS.formsCreate, {
      organizationId: org,
      name: 'Callback',
      tableId: pool.id,
      fields: [
        { key: 'phone', label: 'Phone', type: 'phone', required: true },
        { key: 'topic', label: 'Topic', type: 'string' },
      ],
      dedupeKey: 'phone',
      doubleOptIn: false,
    });
    const created = await submit(form.id, { phone: '030 1234567', topic: 'first' });
    const entryId = (created as { entryId: string }).entryId;
    const again = await submit(form.id, { phone: '+49 30 1234567', topic: 'second' });
    expect(again).toEqual({ status: 'accepted', entryId });
    expect((await send(COMMANDS.entriesGet, { organizationId: org, id: entryId })).data.topic).toBe('second');
    const kinds = await eventually(() => {
      const found = submittedOf(entryId).map(
        (e) => (e.body.data as unknown as FormSubmittedData).isNewContact,
      );
      return found.length === 2 ? found : undefined;
    });
    expect(kinds).toEqual([true, false]);
  });

  it('ten simultaneous first submissions of one person create one contact; the rest wait for its link', async () => {
    const { org, pool } = await organization();
    const form = await contactForm(org, pool.id);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => submit(form.id, { name: `Eve ${i}`, email: 'eve@example.test' })),
    );
    expect(results.filter((r) => r.status === 'accepted')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'pending_verification')).toHaveLength(9);
    const entries = await send(COMMANDS.entriesList, { organizationId: org, tableId: pool.id, limit: 20 });
    expect(entries.items).toHaveLength(1);
  });

  it('purges a week after a link was used or expired, and keeps pending ones', async () => {
    const { org, pool } = await organization();
    const form = await contactForm(org, pool.id);
    const created = await submit(form.id, { name: 'Ida', email: 'ida@example.test' });
    const entryId = (created as { entryId: string }).entryId;
    await submit(form.id, { name: 'Ida B.', email: 'ida@example.test' });
    await submit(form.id, { name: 'Ida C.', email: 'ida@example.test' });
    const rows = (await db.query(
      `SELECT id FROM leads.form_submissions WHERE entry_id = $1 ORDER BY created_at, id`,
      [entryId],
    )) as { id: string }[];
    expect(rows).toHaveLength(2);
    // The first expired eight days ago, the second is still pending.
    await db.query(`UPDATE leads.form_submissions SET expires_at = now() - interval '8 days' WHERE id = $1`, [
      rows[0]!.id,
    ]);
    await leads.app.get(FormSubmissionsSweeper).sweep();
    const left = (await db.query(`SELECT id FROM leads.form_submissions WHERE entry_id = $1`, [entryId])) as {
      id: string;
    }[];
    expect(left.map((r) => r.id)).toEqual([rows[1]!.id]);
  });
});
