import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Booking, Form, PublicForm, TableEntry } from '@rocketlead/contracts';
import { EventCollector, eventually, type CollectedEvent } from '@rocketlead/testing';
import { Api, E2E, created, finishedRuns } from './support/platform';

// Forms against the running platform: forms made on the Connect API, the public definition and submissions
// (JSON and urlencoded), the two double opt-in paths with the verification email caught by a real SMTP
// server and its link followed, form bookings on an exclusive calendar, the form.submitted trigger's runs,
// the form webhook, validation, the honeypot and the rate limit.

// Where the platform says it is reached from outside; the verification link starts with it.
const PUBLIC_BASE_URL = 'https://forms.rocketlead.test';
const VERIFY_LINK = /https:\/\/forms\.rocketlead\.test\/public\/forms\/verify\?token=([A-Za-z0-9_%.-]+)/;

interface Mail {
  to: string[];
  raw: string;
}

interface Hit {
  url: string;
  contentType: string;
  body: string;
}

interface ErrorBody {
  message?: string;
  errors?: { field: string; message: string }[];
}

type SubmitBody = { status: string; entryId?: string } & ErrorBody;

/** A webhook receiver on 127.0.0.1 (allowed for this platform by DELIVERY_ALLOWED_CIDRS). */
async function receiver(): Promise<{ server: Server; url: string; hits: Hit[] }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      hits.push({ url: req.url ?? '', contentType: String(req.headers['content-type'] ?? ''), body });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

/** The mail's text with quoted-printable soft breaks and `=3D` undone, so a link reads as sent. */
const decoded = (raw: string): string => raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');

/** A start time a week ahead at 10:00 in UTC+02:00, written with its offset as a form page sends it. */
function slotNextWeek(): { start: string; startUtc: string; endUtc: string } {
  const day = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
  return {
    start: `${day}T10:00:00+02:00`,
    startUtc: new Date(`${day}T08:00:00Z`).toISOString(),
    endUtc: new Date(`${day}T08:30:00Z`).toISOString(),
  };
}

describe('forms (all services as processes, a local SMTP server and webhook receiver)', () => {
  let e2e: E2E;
  let admin: Api;
  let visitor: Api;
  let forms: EventCollector;
  let smtp: SMTPServer;
  let hooks: Awaited<ReturnType<typeof receiver>>;
  const mails: Mail[] = [];

  const pool = async (): Promise<string> => (await e2e.pool(admin)).poolId;
  const form = (body: Record<string, unknown>): Promise<Form> =>
    created(admin.post<Form>('/connect/forms', body), 'form');
  const contactFields = [
    { key: 'email', label: 'Email', type: 'email', required: true },
    { key: 'name', label: 'Name', type: 'string' },
    { key: 'company', label: 'Company', type: 'string' },
  ];
  const submit = (formId: string, values: Record<string, unknown>) =>
    visitor.post<SubmitBody>(`/public/forms/${formId}`, values);
  const submitUrlencoded = (formId: string, values: Record<string, string>) =>
    visitor.post<SubmitBody>(`/public/forms/${formId}`, new URLSearchParams(values).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
  const entry = async (id: string): Promise<TableEntry> => {
    const res = await admin.get<TableEntry>(`/connect/table_entries/${id}`);
    expect(res.status).toBe(200);
    return res.body;
  };
  const entriesOf = async (tableId: string): Promise<TableEntry[]> => {
    const res = await admin.get<{ items: TableEntry[] }>(
      `/connect/table_entries?tableId=${tableId}&limit=100`,
    );
    expect(res.status).toBe(200);
    return res.body.items;
  };
  const automationFor = async (on: Form): Promise<string> =>
    (
      await created(
        admin.post<{ id: string }>('/api/v1/automations', {
          name: `On ${on.name}`,
          status: 'active',
          trigger: { event: 'form.submitted', triggerId: on.id },
          actions: [],
        }),
        'automation',
      )
    ).id;
  const submitted = (entryId: string, count = 1): Promise<CollectedEvent[]> =>
    forms.waitFor((e) => e.body.type === 'form.submitted' && e.body.subject === entryId, 20_000, count);
  const leadEvent = async (entryId: string, type: string): Promise<CollectedEvent> =>
    (await e2e.events.waitFor((e) => e.body.subject === entryId && e.body.type === type, 20_000))[0]!;
  const mailTo = (address: string, count = 1): Promise<Mail[]> =>
    eventually(
      () => {
        const found = mails.filter((m) => m.to.includes(address));
        return found.length >= count ? found : undefined;
      },
      { timeoutMs: 30_000, message: `${count} mail(s) to ${address}` },
    );
  const tokenIn = (mail: Mail): string => {
    const link = VERIFY_LINK.exec(decoded(mail.raw));
    if (!link) throw new Error(`no verification link in ${mail.raw}`);
    return decodeURIComponent(link[1]!);
  };
  const follow = (token: string, accept?: string): Promise<Response> =>
    fetch(`${e2e.platform.baseUrl}/public/forms/verify?token=${encodeURIComponent(token)}`, {
      redirect: 'manual',
      headers: accept ? { accept } : {},
    });

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        let raw = '';
        stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
        stream.on('end', () => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    hooks = await receiver();
    e2e = await E2E.start({
      SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
      PUBLIC_BASE_URL,
    });
    ({ admin } = await e2e.organization('Forms'));
    visitor = e2e.anonymous();
    forms = await EventCollector.start(e2e.nc, e2e.names.stream('FORMS').name);
  }, 180_000);

  afterAll(async () => {
    await forms?.stop();
    await e2e?.stop();
    hooks?.server.closeAllConnections();
    await new Promise<void>((resolve) => (hooks ? hooks.server.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  }, 120_000);

  it('a new contact posted urlencoded is created at once (channel form), then form.submitted, its webhook and a run', async () => {
    const tableId = await pool();
    const signup = await form({
      name: 'Newsletter signup',
      tableId,
      fields: contactFields,
      webhookUrl: `${hooks.url}/signup?source=form`,
    });
    const automationId = await automationFor(signup);

    // The public definition: what a page needs to render the form, nothing internal.
    const definition = await visitor.get<PublicForm & Record<string, unknown>>(`/public/forms/${signup.id}`);
    expect(definition.status).toBe(200);
    expect(definition.body).toMatchObject({
      id: signup.id,
      name: 'Newsletter signup',
      fields: [
        { key: 'email', label: 'Email', type: 'email', required: true },
        { key: 'name', label: 'Name', type: 'string', required: false },
        { key: 'company', label: 'Company', type: 'string', required: false },
      ],
    });
    for (const internal of ['tableId', 'webhookUrl', 'redirectUrl', 'dedupeKey', 'doubleOptIn'])
      expect(definition.body).not.toHaveProperty(internal);

    const res = await submitUrlencoded(signup.id, { email: 'ada@example.com', name: 'Ada', company: '' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ status: 'accepted', entryId: expect.any(String) });
    const entryId = res.body.entryId!;
    expect(await entry(entryId)).toMatchObject({ tableId, data: { email: 'ada@example.com', name: 'Ada' } });

    const added = await leadEvent(entryId, 'table.entry.added');
    expect(added.body.channel).toBe('form');
    const [event] = await submitted(entryId);
    expect(event!.body.data).toMatchObject({
      formId: signup.id,
      entryId,
      tableId,
      isNewContact: true,
      submissionId: expect.any(String),
    });
    // Made after the entry's events (their commit order is asserted on the outbox in leads' tests).
    expect(Date.parse(String(event!.body.time))).toBeGreaterThanOrEqual(Date.parse(String(added.body.time)));

    const hit = await eventually(() => hooks.hits.find((h) => h.url === '/signup?source=form'), {
      timeoutMs: 30_000,
      message: 'the form webhook',
    });
    expect(hit.contentType).toContain('application/x-www-form-urlencoded');
    const sent = new URLSearchParams(hit.body);
    expect(sent.get('eventtype')).toBe('deliveryall');
    expect(sent.get('id')).toBe(entryId);
    expect(sent.get('email')).toBe('ada@example.com');
    expect(sent.get('name')).toBe('Ada');

    const [run] = await finishedRuns(admin, automationId, 1);
    expect(run).toMatchObject({
      status: 'completed',
      triggerName: 'Newsletter signup',
      context: { entryId },
    });
  });

  it('an existing contact with double opt-in: 202, the emailed link applies it once, redirects, and runs again', async () => {
    const tableId = await pool();
    const webinar = await form({
      name: 'Webinar',
      tableId,
      fields: contactFields,
      redirectUrl: 'https://example.com/thanks?from=webinar',
      webhookUrl: `${hooks.url}/webinar`,
    });
    expect(webinar.doubleOptIn).toBe(true);
    const automationId = await automationFor(webinar);
    const first = await submit(webinar.id, { email: 'grace@example.com', name: 'Grace' });
    expect(first).toMatchObject({ status: 201, body: { status: 'accepted' } });
    const entryId = first.body.entryId!;
    await finishedRuns(admin, automationId, 1);

    // The same contact (email in another case, with spaces): staged, nothing changed yet.
    const again = await submit(webinar.id, {
      email: '  GRACE@Example.COM ',
      name: 'Grace Hopper',
      company: 'Navy',
    });
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ status: 'pending_verification' });
    const [mail] = await mailTo('grace@example.com');
    const text = decoded(mail!.raw);
    expect(text).toContain(`${PUBLIC_BASE_URL}/public/forms/verify?token=`);
    expect(text).toContain('Webinar');
    // Untracked: the link is the platform's own, no tracking links of delivery.
    expect(text).not.toContain('/public/e/');
    const token = tokenIn(mail!);
    // By the time the email went out the submission was staged: the entry is as it was, with one event each.
    expect((await entry(entryId)).data).toEqual({ email: 'grace@example.com', name: 'Grace' });
    expect(e2e.eventsFor(entryId).map((e) => e.body.type)).not.toContain('table.entry.updated');
    expect(forms.events.filter((e) => e.body.subject === entryId)).toHaveLength(1);
    expect(await entriesOf(tableId)).toHaveLength(1);

    const followed = await follow(token);
    expect(followed.status).toBe(302);
    expect(followed.headers.get('location')).toBe('https://example.com/thanks?from=webinar');
    expect((await entry(entryId)).data).toMatchObject({ name: 'Grace Hopper', company: 'Navy' });
    const updated = await leadEvent(entryId, 'table.entry.updated');
    const verified = (await submitted(entryId, 2))[1]!;
    expect(verified.body.data).toMatchObject({ formId: webinar.id, entryId, isNewContact: false });
    expect(Date.parse(String(verified.body.time))).toBeGreaterThanOrEqual(
      Date.parse(String(updated.body.time)),
    );
    const runs = await finishedRuns(admin, automationId, 2);
    expect(runs.map((r) => [r.status, r.triggerName, r.context.entryId])).toEqual([
      ['completed', 'Webinar', entryId],
      ['completed', 'Webinar', entryId],
    ]);
    // The form's webhook got the new contact, then the confirmed update (Lead Actions codes).
    const webinarHits = await eventually(
      () => {
        const found = hooks.hits.filter((h) => h.url === '/webinar');
        return found.length >= 2 ? found : undefined;
      },
      { timeoutMs: 30_000, message: 'two webinar webhooks' },
    );
    const codes = webinarHits.map((h) => new URLSearchParams(h.body).get('eventtype')).sort();
    expect(codes).toEqual(['deliveryall', 'updatedall']);
    const update = new URLSearchParams(webinarHits.find((h) => h.body.includes('updatedall'))!.body);
    expect(update.get('id')).toBe(entryId);
    expect(update.get('company')).toBe('Navy');
    expect(await entriesOf(tableId)).toHaveLength(1);

    // Single use: the same link again is gone; a link never issued is not found.
    const reused = await follow(token);
    expect(reused.status).toBe(410);
    const unknown = await follow(randomBytes(32).toString('base64url'));
    expect(unknown.status).toBe(404);
    expect(forms.events.filter((e) => e.body.subject === entryId)).toHaveLength(2);
  });

  it('an expired link is gone (410); without a redirect URL a confirmed link shows a page', async () => {
    const tableId = await pool();
    const offer = await form({ name: 'Offer', tableId, fields: contactFields });
    const first = await submit(offer.id, { email: 'linus@example.com', name: 'Linus' });
    expect(first.status).toBe(201);
    const entryId = first.body.entryId!;

    expect((await submit(offer.id, { email: 'Linus@example.com', company: 'Kernel' })).status).toBe(202);
    const confirmed = await follow(tokenIn((await mailTo('linus@example.com', 1))[0]!), 'text/html');
    expect(confirmed.status).toBe(200);
    expect(confirmed.headers.get('content-type')).toContain('text/html');
    expect(await confirmed.text()).toContain('Offer');
    // Merged as submitted: the contact's address is now written as confirmed, and the next link goes there.
    expect((await entry(entryId)).data).toMatchObject({ email: 'Linus@example.com', company: 'Kernel' });

    expect((await submit(offer.id, { email: 'linus@example.com', company: 'Later' })).status).toBe(202);
    const token = tokenIn((await mailTo('Linus@example.com'))[0]!);
    // 48 hours are not waited for: the staged submission's expiry is moved into the past.
    const moved = await e2e.sql(
      `UPDATE leads.form_submissions SET expires_at = now() - interval '1 second'
       WHERE form_id = '${offer.id}' AND used_at IS NULL RETURNING entry_id`,
    );
    expect(moved).toBe(entryId);
    const expired = await follow(token);
    expect(expired.status).toBe(410);
    expect((await entry(entryId)).data).toMatchObject({ company: 'Kernel' });
    expect(forms.events.filter((e) => e.body.subject === entryId)).toHaveLength(2);
  });

  it('without double opt-in an existing contact is updated at once (201)', async () => {
    const { poolId: tableId } = await e2e.pool(admin, { email: 'string', name: 'string', company: 'string' });
    const existing = await created(
      admin.post<TableEntry>('/connect/table_entries', {
        tableId,
        data: { email: 'margaret@example.com', name: 'Margaret' },
      }),
      'contact',
    );
    const callback = await form({ name: 'Callback', tableId, fields: contactFields, doubleOptIn: false });
    const automationId = await automationFor(callback);

    const res = await submit(callback.id, { email: ' Margaret@Example.com', company: 'Apollo' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ status: 'accepted', entryId: existing.id });
    expect((await entry(existing.id)).data).toMatchObject({ name: 'Margaret', company: 'Apollo' });
    await leadEvent(existing.id, 'table.entry.updated');
    const [event] = await submitted(existing.id);
    expect(event!.body.data).toMatchObject({ formId: callback.id, isNewContact: false });
    const [run] = await finishedRuns(admin, automationId, 1);
    expect(run).toMatchObject({ triggerName: 'Callback', context: { entryId: existing.id } });
    expect(await entriesOf(tableId)).toHaveLength(1);
    expect(mails.filter((m) => m.to.includes('margaret@example.com'))).toEqual([]);
  });

  it('a booking field books the slot for a new contact; the same slot again is a 409 and nothing is stored', async () => {
    const tableId = await pool();
    const calendar = await created(
      admin.post<{ id: string }>('/connect/calendars', { name: 'Consultations', exclusive: true }),
      'calendar',
    );
    const consult = await form({
      name: 'Consultation',
      tableId,
      bookingCalendarId: calendar.id,
      fields: [
        { key: 'email', label: 'Email', type: 'email', required: true },
        { key: 'slot', label: 'Time', type: 'booking', required: true, durationMinutes: 30 },
      ],
    });
    const slot = slotNextWeek();

    const res = await submit(consult.id, { email: 'alan@example.com', slot: slot.start });
    expect(res).toMatchObject({ status: 201, body: { status: 'accepted' } });
    const entryId = res.body.entryId!;
    const booked = await e2e.calendarEvents.waitFor(
      (e) => e.body.type === 'calendar.appointment.booked' && e.body.data.tableEntryId === entryId,
      20_000,
    );
    expect(booked[0]!.body.data).toMatchObject({
      calendarId: calendar.id,
      tableEntryId: entryId,
      startDateTime: slot.startUtc,
      endDateTime: slot.endUtc,
      status: 'booked',
    });
    // The appointment is not a value of the contact.
    expect((await entry(entryId)).data).toEqual({ email: 'alan@example.com' });

    const taken = await submit(consult.id, { email: 'joan@example.com', slot: slot.start });
    expect(taken.status).toBe(409);
    expect((await entriesOf(tableId)).map((e) => e.data.email)).toEqual(['alan@example.com']);
    const bookings = await admin.get<{ items: Booking[] }>(
      `/connect/calendar_bookings?calendarId=${calendar.id}&limit=100`,
    );
    expect(bookings.status).toBe(200);
    expect(bookings.body.items.map((b) => b.tableEntryId)).toEqual([entryId]);
    expect(e2e.calendarEvents.ofType('calendar.appointment.booked')).toHaveLength(1);
  });

  it('refuses a bad value naming the field, drops a honeypot submission, and limits a client to 10 a minute', async () => {
    const tableId = await pool();
    const contact = await form({
      name: 'Contact us',
      tableId,
      fields: [
        { key: 'email', label: 'Email', type: 'email', required: true },
        { key: 'seats', label: 'Seats', type: 'number' },
        { key: 'plan', label: 'Plan', type: 'select', options: ['basic', 'pro'] },
      ],
    });

    const bad = await submit(contact.id, { email: 'not-an-address', seats: 'many', plan: 'pro' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('Validation failed');
    expect((bad.body.errors ?? []).map((e) => e.field).sort()).toEqual(['email', 'seats']);
    const badForm = await submitUrlencoded(contact.id, { email: 'ok@example.com', plan: 'enterprise' });
    expect(badForm).toMatchObject({ status: 400, body: { errors: [{ field: 'plan' }] } });

    const bot = await submit(contact.id, { email: 'bot@example.com', _hp: 'http://spam.example' });
    expect(bot).toMatchObject({ status: 201, body: { status: 'accepted' } });
    expect((await admin.get(`/connect/table_entries/${bot.body.entryId}`)).status).toBe(404);
    expect(await entriesOf(tableId)).toEqual([]);

    // Three submissions so far; seven more make ten within the minute, the eleventh is refused.
    for (let i = 0; i < 7; i += 1)
      expect((await submit(contact.id, { email: 'bot@example.com', _hp: 'x' })).status).toBe(201);
    const limited = await submit(contact.id, { email: 'eleventh@example.com' });
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await entriesOf(tableId)).toEqual([]);
    // Limited per form: another form of the organization still takes submissions from this client.
    const other = await form({ name: 'Other', tableId, fields: contactFields });
    expect((await submit(other.id, { email: 'eleventh@example.com' })).status).toBe(201);
  });
});
