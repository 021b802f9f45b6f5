import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import {
  COMMANDS,
  CONSUMERS,
  EMAIL_FAILED,
  FORM_SUBMITTED,
  NOTIFICATION_REQUESTED,
  createEvent,
  uuidv7,
  type CloudEvent,
  type DeliveryWithAttempts,
  type FormSubmittedData,
  type NotificationRequestedData,
  type TableEntry,
} from '@rocketlead/contracts';
import { commandSender, eventually, type CommandSender, type EventCollector } from '@rocketlead/testing';
import { parseMime, partOfType } from './mime';
import {
  FakeLeads,
  Receiver,
  actorOf,
  deliveryRequest,
  publishEvent,
  startDelivery,
  type DeliveryUnderTest,
} from './support';

const BASE_URL = 'http://rocketlead.test';

interface ReceivedMail {
  to: string[];
  raw: string;
}

/** `notification.requested` as leads publishes it for a form (a new event id each time it is called). */
function notification(
  organizationId: string,
  data: Partial<NotificationRequestedData> & Pick<NotificationRequestedData, 'kind'>,
): CloudEvent<NotificationRequestedData> {
  const entryId = data.entryId ?? uuidv7();
  return createEvent<NotificationRequestedData>({
    type: NOTIFICATION_REQUESTED,
    source: '/leads',
    subject: entryId,
    data: { idempotencyKey: `form-verification:${uuidv7()}`, email: null, webhook: null, ...data, entryId },
    actor: actorOf(organizationId),
  });
}

// Notifications other services ask for (a form's verification email and webhook), and form.submitted to
// subscribed endpoints: real Postgres and NATS, a real SMTP server and HTTP receivers on 127.0.0.1.
describe('delivery notifications and form events (real Postgres, NATS, SMTP, local receivers)', () => {
  let delivery: DeliveryUnderTest;
  let send: CommandSender;
  let leads: FakeLeads;
  let events: EventCollector;
  let smtp: SMTPServer;
  const receivers: Receiver[] = [];
  const mails: ReceivedMail[] = [];

  async function receiver(): Promise<Receiver> {
    const r = await Receiver.start();
    receivers.push(r);
    return r;
  }

  const historyOf = (organizationId: string, entryId: string) =>
    send(COMMANDS.entryDeliveries, { organizationId, entryId, limit: 50 });

  /** The lead's deliveries once `count` of them are finished. */
  async function finished(
    organizationId: string,
    entryId: string,
    count = 1,
  ): Promise<DeliveryWithAttempts[]> {
    return eventually(
      async () => {
        const page = await historyOf(organizationId, entryId);
        return page.items.filter((d) => d.status !== 'pending').length >= count ? page.items : undefined;
      },
      { timeoutMs: 20_000, message: `${count} finished deliveries of ${entryId}` },
    );
  }

  /** Every notification published so far has been handled and acked by delivery's durable consumer. */
  async function notificationsDrained(published: number): Promise<void> {
    const jsm = await delivery.nc.jetstreamManager();
    await eventually(
      async () => {
        const info = await jsm.consumers.info(
          delivery.names.stream('NOTIFICATIONS').name,
          delivery.names.consumer(CONSUMERS.deliveryNotifications),
        );
        return info.num_pending === 0 && info.num_ack_pending === 0 && info.delivered.stream_seq >= published;
      },
      { timeoutMs: 20_000, message: 'the notifications consumed' },
    );
  }

  /** Unsubscribes `to` the way a contact does: through the link of a tracked email sent to it. */
  async function unsubscribe(organizationId: string, to: string): Promise<void> {
    const entry = leads.add(organizationId, {});
    await publishEvent(
      delivery.nc,
      delivery.names,
      deliveryRequest(organizationId, {
        entryId: entry.id,
        kind: 'email',
        email: { to, subject: 'Newsletter', text: 'News', html: null },
      }),
    );
    await finished(organizationId, entry.id);
    const raw = mails
      .find((m) => m.to.includes(to))!
      .raw.replace(/=\r?\n/g, '')
      .replace(/=3D/g, '=');
    const token = new RegExp(`${BASE_URL}/public/e/u/([A-Za-z0-9_.-]+)`).exec(raw)![1]!;
    await send(COMMANDS.emailTrack, { kind: 'unsubscribe', token });
  }

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          mails.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    delivery = await startDelivery('deliverynotify', {
      SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
      EMAIL_FROM: 'RocketLead <hello@rocketlead.test>',
      PUBLIC_BASE_URL: BASE_URL,
      DELIVERY_RETRY_SCHEDULE: '1s,1s',
      DELIVERY_ALLOWED_CIDRS: '127.0.0.1/32',
    });
    send = commandSender(delivery.nc, delivery.names);
    leads = new FakeLeads(delivery.nc, delivery.names);
    events = await delivery.collect('DELIVERY');
  }, 120_000);

  afterAll(async () => {
    leads?.stop();
    for (const r of receivers) await r.stop();
    // delivery first: the SMTP server's close waits for the pooled connections delivery keeps open.
    await delivery?.stop();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  }, 60_000);

  it('sends a verification email exactly as written (no pixel, no click rewriting, no unsubscribe link), even to an address that unsubscribed, and once per idempotency key', async () => {
    const org = uuidv7();
    const to = 'grace@example.com';
    await unsubscribe(org, to);

    const contact = leads.add(org, { email: to });
    const link = `${BASE_URL}/public/forms/verify?token=AbC-123_xyz%2Bq`;
    const email = {
      to,
      subject: 'Confirm your submission',
      text: `Please confirm: ${link}\n`,
      html: `<html><body><p>Please <a href="${link}">confirm</a>.</p></body></html>`,
    };
    const asked = notification(org, { entryId: contact.id, kind: 'email', email });
    await publishEvent(delivery.nc, delivery.names, asked);
    // Published again (as an outbox relay may after a crash): a new event id, the same idempotency key.
    await publishEvent(delivery.nc, delivery.names, { ...asked, id: uuidv7() });

    const [sent] = await finished(org, contact.id);
    expect(sent).toMatchObject({
      kind: 'email',
      status: 'succeeded',
      destination: to,
      eventType: NOTIFICATION_REQUESTED,
      entryId: contact.id,
      runId: null,
      attempts: 1,
    });
    await notificationsDrained(2);
    expect((await historyOf(org, contact.id)).items).toHaveLength(1);
    const received = mails.filter((m) => m.raw.includes('Subject: Confirm your submission'));
    expect(received).toHaveLength(1);
    const [root, ...parts] = parseMime(received[0]!.raw);
    expect(root!.headers.has('list-unsubscribe')).toBe(false);
    expect(partOfType(parts, 'text/plain')?.body).toBe(email.text);
    expect(partOfType(parts, 'text/html')?.body).toBe(email.html);
  });

  it('refuses a notification email to an unusable address, like any email', async () => {
    const org = uuidv7();
    const contact = leads.add(org, {});
    await publishEvent(
      delivery.nc,
      delivery.names,
      notification(org, {
        entryId: contact.id,
        kind: 'email',
        email: { to: 'not an address', subject: 's', text: 't', html: null },
      }),
    );
    const [refused] = await finished(org, contact.id);
    expect(refused).toMatchObject({ status: 'failed', attempts: 0 });
    expect(refused!.lastError).toMatch(/is not a usable email address/);
    await events.waitFor((e) => e.body.type === EMAIL_FAILED && e.body.data.entryId === contact.id);
  });

  it("posts a form webhook with the lead's fields and eventtype deliveryall, unsigned, to the raw URL with its query string", async () => {
    const org = uuidv7();
    const hook = await receiver();
    const contact = leads.add(org, { firstName: 'Ada', email: 'ada@example.com', tags: ['x', 'y'] });
    await publishEvent(
      delivery.nc,
      delivery.names,
      notification(org, {
        idempotencyKey: `form-webhook:${uuidv7()}`,
        entryId: contact.id,
        kind: 'webhook',
        webhook: { url: `${hook.url}/lead?key=s3cret`, formCode: 'deliveryall' },
      }),
    );
    const [sent] = await finished(org, contact.id);
    expect(sent).toMatchObject({
      kind: 'webhook',
      status: 'succeeded',
      destination: `${hook.url}/lead`,
      eventType: 'deliveryall',
      endpointId: null,
      runId: null,
    });
    const request = hook.requests[0]!;
    expect(request.url).toBe('/lead?key=s3cret');
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request.headers['webhook-signature']).toBeUndefined();
    const form = new URLSearchParams(request.body);
    expect(form.get('eventtype')).toBe('deliveryall');
    expect(form.get('eventdatetime')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(form.get('id')).toBe(contact.id);
    expect(form.get('tableId')).toBe(contact.tableId);
    expect(form.get('firstName')).toBe('Ada');
    expect(form.get('email')).toBe('ada@example.com');
    expect(form.getAll('tags')).toEqual(['x', 'y']);
  });

  it('refuses a form webhook to a non-http(s) URL, and the SSRF guard refuses a disallowed destination', async () => {
    const org = uuidv7();
    const ftp = leads.add(org, {});
    await publishEvent(
      delivery.nc,
      delivery.names,
      notification(org, {
        entryId: ftp.id,
        kind: 'webhook',
        webhook: { url: 'ftp://files.example.com/drop', formCode: 'updatedall' },
      }),
    );
    const [notHttp] = await finished(org, ftp.id);
    expect(notHttp).toMatchObject({ status: 'failed', attempts: 0, lastError: 'the URL must be http(s)' });

    // Only 127.0.0.1/32 is allowed here: another loopback address is refused when sending, not retried.
    const guarded = leads.add(org, {});
    await publishEvent(
      delivery.nc,
      delivery.names,
      notification(org, {
        entryId: guarded.id,
        kind: 'webhook',
        webhook: { url: 'http://127.0.0.2:9/hook', formCode: 'updatedall' },
      }),
    );
    const [refused] = await finished(org, guarded.id);
    expect(refused).toMatchObject({ status: 'failed', attempts: 1, lastError: 'destination not allowed' });
  });

  it('sends form.submitted to an endpoint subscribed to it', async () => {
    const org = uuidv7();
    const hook = await receiver();
    await send(COMMANDS.endpointsCreate, {
      actor: actorOf(org),
      url: `${hook.url}/forms`,
      eventTypes: [FORM_SUBMITTED],
    });
    const contact: TableEntry = leads.add(org, { firstName: 'Lin' });
    const submitted = createEvent<FormSubmittedData>({
      type: FORM_SUBMITTED,
      source: '/leads',
      subject: contact.id,
      data: {
        formId: uuidv7(),
        formName: 'Contact us',
        submissionId: uuidv7(),
        entryId: contact.id,
        tableId: contact.tableId,
        isNewContact: true,
      },
      actor: actorOf(org),
    });
    await publishEvent(delivery.nc, delivery.names, submitted);
    const [sent] = await finished(org, contact.id);
    expect(sent).toMatchObject({ status: 'succeeded', eventType: FORM_SUBMITTED, entryId: contact.id });
    const request = hook.requests[0]!;
    expect(request.headers['webhook-id']).toBe(sent!.id);
    expect(JSON.parse(request.body)).toMatchObject({
      id: submitted.id,
      type: FORM_SUBMITTED,
      data: { formName: 'Contact us', entryId: contact.id, isNewContact: true },
    });
  });
});
