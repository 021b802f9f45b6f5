import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import {
  COMMANDS,
  EMAIL_CLICKED,
  EMAIL_FAILED,
  EMAIL_OPENED,
  EMAIL_UNSUBSCRIBED,
  SMS_FAILED,
  SMS_REPLIED,
  uuidv7,
  type DeliveryWithAttempts,
} from '@rocketlead/contracts';
import {
  commandSender,
  eventually,
  failure,
  type CommandSender,
  type EventCollector,
} from '@rocketlead/testing';
import { twilioSignature } from '../src/sms';
import {
  FakeLeads,
  Receiver,
  deliveryRequest,
  publishEvent,
  startDelivery,
  type DeliveryUnderTest,
} from './support';

interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

const AUTH_TOKEN = 'test-auth-token';
const SID = 'AC0123456789abcdef0123456789abcdef';
const BASE_URL = 'http://rocketlead.test';

// Email and text messages through delivery: a real SMTP server and a Twilio-like HTTP server on 127.0.0.1.
describe('delivery email and SMS (real Postgres, NATS, SMTP server, Twilio-like API)', () => {
  let delivery: DeliveryUnderTest;
  let send: CommandSender;
  let leads: FakeLeads;
  let events: EventCollector;
  let smtp: SMTPServer;
  let twilio: Receiver;
  const mails: ReceivedMail[] = [];
  // Recipients the SMTP server rejects: permanently (550) or for now (451).
  const rejected = new Map<string, number>();

  async function finished(organizationId: string, entryId: string): Promise<DeliveryWithAttempts> {
    return eventually(
      async () => {
        const page = await send(COMMANDS.entryDeliveries, { organizationId, entryId, limit: 10 });
        return page.items.find((d) => d.status !== 'pending');
      },
      { timeoutMs: 20_000, message: `a finished delivery of ${entryId}` },
    );
  }

  const tokenOf = (raw: string, kind: 'o' | 'c' | 'u'): string => {
    const unfolded = raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    const match = new RegExp(`${BASE_URL}/public/e/${kind}/([A-Za-z0-9_.-]+)`).exec(unfolded);
    if (!match) throw new Error(`no /public/e/${kind}/ link in the email`);
    return match[1]!;
  };

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onRcptTo(address, _session, callback) {
        const code = rejected.get(address.address);
        if (code) {
          const error = new Error(code === 550 ? 'mailbox unavailable' : 'try again later') as Error & {
            responseCode: number;
          };
          error.responseCode = code;
          return callback(error);
        }
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const smtpPort = (smtp.server.address() as AddressInfo).port;
    twilio = await Receiver.start(() => ({
      status: 201,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sid: `SM${uuidv7().replace(/-/g, '')}`, status: 'queued' }),
    }));
    delivery = await startDelivery('deliverymail', {
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      EMAIL_FROM: 'RocketLead <hello@rocketlead.test>',
      SMS_API_URL: twilio.url,
      SMS_ACCOUNT_SID: SID,
      SMS_AUTH_TOKEN: AUTH_TOKEN,
      SMS_FROM: '+15005550006',
      PUBLIC_BASE_URL: BASE_URL,
      DELIVERY_RETRY_SCHEDULE: '1s,1s',
    });
    send = commandSender(delivery.nc, delivery.names);
    leads = new FakeLeads(delivery.nc, delivery.names);
    events = await delivery.collect('DELIVERY');
  }, 120_000);

  afterAll(async () => {
    leads?.stop();
    // delivery first: the SMTP server's close waits for the pooled connections delivery keeps open.
    await delivery?.stop();
    await twilio?.stop();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  }, 60_000);

  it('sends a tracked email; opens count once, clicks every time and redirect, unsubscribing suppresses the address', async () => {
    const org = uuidv7();
    const entry = leads.add(org, {});
    await publishEvent(
      delivery.nc,
      delivery.names,
      deliveryRequest(org, {
        entryId: entry.id,
        kind: 'email',
        email: {
          to: 'ada@example.com',
          subject: 'Welcome Ada',
          text: 'Hello Ada',
          html: '<html><body><p>Hello <a href="https://example.com/offer?x=1">offer</a></p></body></html>',
        },
      }),
    );
    const sent = await finished(org, entry.id);
    expect(sent).toMatchObject({
      kind: 'email',
      status: 'succeeded',
      destination: 'ada@example.com',
      attempts: 1,
    });
    const mail = mails.find((m) => m.to.includes('ada@example.com'))!;
    expect(mail.from).toBe('hello@rocketlead.test');
    expect(mail.raw).toMatch(/Subject: Welcome Ada/);
    expect(mail.raw).toMatch(/List-Unsubscribe:\s+<http:\/\/rocketlead\.test\/public\/e\/u\//);

    const open = tokenOf(mail.raw, 'o');
    expect(await send(COMMANDS.emailTrack, { kind: 'open', token: open })).toEqual({ redirectUrl: null });
    await send(COMMANDS.emailTrack, { kind: 'open', token: open });
    const click = tokenOf(mail.raw, 'c');
    for (let i = 0; i < 2; i++)
      expect(await send(COMMANDS.emailTrack, { kind: 'click', token: click })).toEqual({
        redirectUrl: 'https://example.com/offer?x=1',
      });
    // A token of one kind is not valid as another, and a forged one is refused.
    expect(await failure(send(COMMANDS.emailTrack, { kind: 'click', token: open }))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await failure(send(COMMANDS.emailTrack, { kind: 'open', token: `${open}x` }))).toMatchObject({
      code: 'NOT_FOUND',
    });
    await send(COMMANDS.emailTrack, { kind: 'unsubscribe', token: tokenOf(mail.raw, 'u') });

    const of = (type: string) =>
      events.events.filter((e) => e.body.type === type && e.body.data.deliveryId === sent.id);
    await eventually(() => of(EMAIL_UNSUBSCRIBED).length === 1 && of(EMAIL_CLICKED).length === 2);
    expect(of(EMAIL_OPENED)).toHaveLength(1);
    expect(of(EMAIL_CLICKED)[0]!.body).toMatchObject({
      organizationid: org,
      data: { entryId: entry.id, email: 'ada@example.com', url: 'https://example.com/offer?x=1' },
    });

    // Suppressed: the next email to that address (any case) fails without being sent.
    const later = leads.add(org, {});
    await publishEvent(
      delivery.nc,
      delivery.names,
      deliveryRequest(org, {
        entryId: later.id,
        kind: 'email',
        email: { to: 'ADA@example.com', subject: 'Again', text: 'x', html: null },
      }),
    );
    expect(await finished(org, later.id)).toMatchObject({
      status: 'failed',
      lastError: 'the recipient unsubscribed',
    });
    await events.waitFor((e) => e.body.type === EMAIL_FAILED && e.body.data.entryId === later.id);
    expect(mails.filter((m) => m.raw.includes('Subject: Again'))).toHaveLength(0);
  });

  it('fails an email rejected with 5xx at once (email.failed), and retries one rejected with 4xx', async () => {
    const org = uuidv7();
    rejected.set('gone@example.com', 550);
    rejected.set('busy@example.com', 451);
    const gone = leads.add(org, {});
    const busy = leads.add(org, {});
    for (const [entry, to] of [
      [gone, 'gone@example.com'],
      [busy, 'busy@example.com'],
    ] as const)
      await publishEvent(
        delivery.nc,
        delivery.names,
        deliveryRequest(org, {
          entryId: entry.id,
          kind: 'email',
          email: { to, subject: 's', text: 't', html: null },
        }),
      );
    expect(await finished(org, gone.id)).toMatchObject({ status: 'failed', attempts: 1 });
    await events.waitFor((e) => e.body.type === EMAIL_FAILED && e.body.data.entryId === gone.id);
    const retried = await finished(org, busy.id);
    expect(retried).toMatchObject({ status: 'failed', attempts: 3 });
    expect(retried.attemptLog.map((a) => a.responseStatus)).toEqual([451, 451, 451]);
  });

  it('texts an E.164 number through the Twilio-like API; status callbacks and replies are verified and published', async () => {
    const org = uuidv7();
    const entry = leads.add(org, {});
    await publishEvent(
      delivery.nc,
      delivery.names,
      deliveryRequest(org, {
        entryId: entry.id,
        kind: 'sms',
        sms: { to: '(415) 555-2671', body: 'Your appointment is tomorrow' },
      }),
    );
    const sent = await finished(org, entry.id);
    expect(sent).toMatchObject({ kind: 'sms', status: 'succeeded', destination: '+14155552671' });
    const call = twilio.requests.at(-1)!;
    expect(call.url).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(call.headers.authorization).toBe(
      `Basic ${Buffer.from(`${SID}:${AUTH_TOKEN}`).toString('base64')}`,
    );
    const form = new URLSearchParams(call.body);
    expect(Object.fromEntries(form)).toEqual({
      To: '+14155552671',
      From: '+15005550006',
      Body: 'Your appointment is tomorrow',
      StatusCallback: `${BASE_URL}/public/sms/status`,
    });

    // The provider's sid from its answer identifies the message in its status callback.
    const attempt = sent.attemptLog[0]!;
    const messageSid = (JSON.parse(attempt.responseBody!) as { sid: string }).sid;
    const status = {
      MessageSid: messageSid,
      MessageStatus: 'undelivered',
      ErrorCode: '30003',
      To: '+14155552671',
    };
    const statusUrl = `${BASE_URL}/public/sms/status`;
    expect(
      await failure(send(COMMANDS.smsCallback, { kind: 'status', params: status, signature: 'forged' })),
    ).toMatchObject({ code: 'FORBIDDEN' });
    await send(COMMANDS.smsCallback, {
      kind: 'status',
      params: status,
      signature: twilioSignature(AUTH_TOKEN, statusUrl, status),
    });
    const [failedEvent] = await events.waitFor(
      (e) => e.body.type === SMS_FAILED && e.body.data.deliveryId === sent.id,
    );
    expect(failedEvent!.body.data).toMatchObject({
      entryId: entry.id,
      status: 'failed',
      error: 'the carrier reported the message undelivered (error 30003)',
    });

    const inbound = { From: '+14155552671', To: '+15005550006', Body: 'STOP please', MessageSid: 'SMabc' };
    await send(COMMANDS.smsCallback, {
      kind: 'inbound',
      params: inbound,
      signature: twilioSignature(AUTH_TOKEN, `${BASE_URL}/public/sms/inbound`, inbound),
    });
    const [reply] = await events.waitFor(
      (e) => e.body.type === SMS_REPLIED && e.body.data.messageSid === 'SMabc',
    );
    expect(reply!.body).toMatchObject({
      organizationid: org,
      data: { entryId: entry.id, deliveryId: sent.id, from: '+14155552671', body: 'STOP please' },
    });
  });

  it('an unusable phone number fails the delivery with a clear error, without calling the API', async () => {
    const org = uuidv7();
    const entry = leads.add(org, {});
    const before = twilio.requests.length;
    await publishEvent(
      delivery.nc,
      delivery.names,
      deliveryRequest(org, { entryId: entry.id, kind: 'sms', sms: { to: '12', body: 'x' } }),
    );
    const failed = await finished(org, entry.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 0 });
    expect(failed.lastError).toMatch(/"12" is not a usable phone number/);
    await events.waitFor((e) => e.body.type === SMS_FAILED && e.body.data.entryId === entry.id);
    expect(twilio.requests.length).toBe(before);
  });
});
