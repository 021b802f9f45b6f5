import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import {
  COMMANDS,
  createEvent,
  DELIVERY_WEBHOOK_FAILED,
  EMAIL_OPENED,
  SMS_REPLIED,
  uuidv7,
  type DeliveryWithAttempts,
  type WebhookEndpointWithSecret,
} from '@rocketlead/contracts';
import {
  commandSender,
  eventually,
  failure,
  type CommandSender,
  type EventCollector,
} from '@rocketlead/testing';
import { MetricsRegistry } from '@rocketlead/messaging';
import {
  FakeLeads,
  Receiver,
  actorOf,
  deliveryRequest,
  entryAdded,
  publishEvent,
  startDelivery,
  type DeliveryUnderTest,
} from './support';

// Webhooks end to end inside delivery: real Postgres and NATS, receivers on 127.0.0.1, retries on a 1 s schedule.
describe('delivery webhooks (real Postgres and NATS, local receivers)', () => {
  let delivery: DeliveryUnderTest;
  let send: CommandSender;
  let leads: FakeLeads;
  let deliveryEvents: EventCollector;
  const receivers: Receiver[] = [];

  async function receiver(...args: Parameters<typeof Receiver.start>): Promise<Receiver> {
    const r = await Receiver.start(...args);
    receivers.push(r);
    return r;
  }

  async function endpoint(
    organizationId: string,
    url: string,
    extra: Partial<{ eventTypes: string[]; format: 'standard' | 'form'; timeoutMs: number }> = {},
  ): Promise<WebhookEndpointWithSecret> {
    return send(COMMANDS.endpointsCreate, { actor: actorOf(organizationId), url, ...extra });
  }

  const historyOf = (organizationId: string, entryId: string) =>
    send(COMMANDS.entryDeliveries, { organizationId, entryId, limit: 50 });

  async function finished(
    organizationId: string,
    entryId: string,
    count = 1,
  ): Promise<DeliveryWithAttempts[]> {
    return eventually(
      async () => {
        const page = await historyOf(organizationId, entryId);
        const done = page.items.filter((d) => d.status !== 'pending');
        return done.length >= count ? page.items : undefined;
      },
      { timeoutMs: 30_000, message: `${count} finished deliveries of ${entryId}` },
    );
  }

  /** This process's webhook counters, as /metrics serves them. */
  async function webhookCounters() {
    const { metrics } = await delivery.app.get(MetricsRegistry).collect();
    const value = (name: string, labels: Record<string, string>) =>
      metrics.find((m) => m.name === name && JSON.stringify(m.labels) === JSON.stringify(labels))?.value ??
      NaN;
    return {
      attemptsFailed: value('rocketlead_delivery_attempts_total', { kind: 'webhook', result: 'failed' }),
      attemptsSucceeded: value('rocketlead_delivery_attempts_total', {
        kind: 'webhook',
        result: 'succeeded',
      }),
      finishedSucceeded: value('rocketlead_deliveries_finished_total', {
        kind: 'webhook',
        status: 'succeeded',
      }),
    };
  }

  beforeAll(async () => {
    delivery = await startDelivery('deliveryhooks', {
      DELIVERY_RETRY_SCHEDULE: '1s,1s,1s,1s,1s',
      DELIVERY_ALLOWED_CIDRS: '127.0.0.1/32',
      DELIVERY_ENDPOINT_CONCURRENCY: '2',
    });
    send = commandSender(delivery.nc, delivery.names);
    leads = new FakeLeads(delivery.nc, delivery.names);
    deliveryEvents = await delivery.collect('DELIVERY');
  }, 120_000);

  afterAll(async () => {
    leads?.stop();
    for (const r of receivers) await r.stop();
    await delivery?.stop();
  }, 60_000);

  it('manages endpoints: the secret is shown once, lists page, another organization sees nothing', async () => {
    const org = uuidv7();
    const created = await endpoint(org, 'https://example.test/hooks?x=1', {
      eventTypes: ['table.entry.added'],
    });
    expect(created).toMatchObject({
      url: 'https://example.test/hooks?x=1',
      format: 'standard',
      eventTypes: ['table.entry.added'],
      description: null,
      timeoutMs: 10_000,
      enabled: true,
    });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/);
    const got = await send(COMMANDS.endpointsGet, { organizationId: org, id: created.id });
    expect(got).not.toHaveProperty('secret');
    expect(
      await failure(send(COMMANDS.endpointsGet, { organizationId: uuidv7(), id: created.id })),
    ).toMatchObject({
      code: 'NOT_FOUND',
    });
    const second = await endpoint(org, 'https://example.test/two');
    const first = await send(COMMANDS.endpointsList, { organizationId: org, limit: 1 });
    expect(first.items.map((e) => e.id)).toEqual([second.id]);
    const rest = await send(COMMANDS.endpointsList, {
      organizationId: org,
      limit: 1,
      cursor: first.nextCursor!,
    });
    expect(rest).toEqual({ items: [expect.objectContaining({ id: created.id })], nextCursor: null });
    const updated = await send(COMMANDS.endpointsUpdate, {
      actor: actorOf(org),
      id: created.id,
      enabled: false,
      description: 'paused',
    });
    expect(updated).toMatchObject({ enabled: false, description: 'paused', url: created.url });
    expect(
      await failure(
        send(COMMANDS.endpointsCreate, {
          actor: actorOf(org),
          url: 'https://x.test',
          eventTypes: ['nope.*'],
        }),
      ),
    ).toMatchObject({ code: 'VALIDATION_FAILED', details: { errors: [{ field: 'eventTypes[0]' }] } });
    await send(COMMANDS.endpointsDelete, { actor: actorOf(org), id: second.id });
    expect(await failure(send(COMMANDS.endpointsGet, { organizationId: org, id: second.id }))).toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('sends a subscribed event signed by Standard Webhooks, with the delivery id as webhook-id, and logs it for the lead', async () => {
    const org = uuidv7();
    const hook = await receiver();
    const created = await endpoint(org, `${hook.url}/in`, { eventTypes: ['table.entry.*'] });
    await endpoint(org, `${hook.url}/other`, { eventTypes: ['calendar.appointment.*'] });
    const entry = leads.add(org, { email: 'a@example.com' });
    const event = entryAdded(entry);
    await publishEvent(delivery.nc, delivery.names, event);
    // A redelivered event (same id, new message) makes no second delivery.
    await publishEvent(delivery.nc, delivery.names, event, uuidv7());
    const [sent] = await finished(org, entry.id);
    expect(sent).toMatchObject({ kind: 'webhook', status: 'succeeded', attempts: 1, endpointId: created.id });
    expect(hook.requests).toHaveLength(1);
    const received = hook.requests[0]!;
    expect(received.url).toBe('/in');
    expect(received.headers['webhook-id']).toBe(sent!.id);
    const verified = new Webhook(created.secret).verify(received.body, {
      'webhook-id': String(received.headers['webhook-id']),
      'webhook-timestamp': String(received.headers['webhook-timestamp']),
      'webhook-signature': String(received.headers['webhook-signature']),
    });
    expect(verified).toMatchObject({ id: event.id, type: 'table.entry.added', data: { id: entry.id } });
    expect(sent!.attemptLog).toEqual([
      expect.objectContaining({ status: 'succeeded', responseStatus: 200, nextAttemptAt: null, error: null }),
    ]);
    // Someone else's lead: nothing.
    expect(await historyOf(uuidv7(), entry.id)).toEqual({ items: [], nextCursor: null });
  });

  it('retries a failing receiver with the same webhook-id until it succeeds, and logs every attempt', async () => {
    const org = uuidv7();
    const hook = await receiver((_r, i) =>
      i < 2 ? { status: 500, body: 'x'.repeat(5000) } : { status: 204 },
    );
    const created = await endpoint(org, hook.url, { eventTypes: ['table.entry.added'] });
    const entry = leads.add(org, {});
    const before = await webhookCounters();
    await publishEvent(delivery.nc, delivery.names, entryAdded(entry));
    const [sent] = await finished(org, entry.id);
    expect(sent).toMatchObject({ status: 'succeeded', attempts: 3 });
    // /metrics counts each attempt by result, and the delivery once, when it ended.
    const after = await webhookCounters();
    expect(after.attemptsFailed - before.attemptsFailed).toBe(2);
    expect(after.attemptsSucceeded - before.attemptsSucceeded).toBe(1);
    expect(after.finishedSucceeded - before.finishedSucceeded).toBe(1);
    expect(new Set(hook.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([sent!.id]));
    expect(sent!.attemptLog.map((a) => [a.status, a.responseStatus])).toEqual([
      ['failed', 500],
      ['failed', 500],
      ['succeeded', 204],
    ]);
    expect(sent!.attemptLog[0]!.responseBody).toHaveLength(1024);
    expect(sent!.attemptLog[0]!.nextAttemptAt).not.toBeNull();
    // Roughly the schedule's 1 s (±20 %) between tries.
    const gap = hook.requests[1]!.at - hook.requests[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(750);
    const attempts = await send(COMMANDS.endpointsAttempts, {
      organizationId: org,
      id: created.id,
      limit: 2,
    });
    expect(attempts.items).toHaveLength(2);
    expect(attempts.nextCursor).not.toBeNull();
  });

  it('fails a delivery after the whole schedule with delivery.webhook.failed; 410 disables the endpoint at once', async () => {
    const org = uuidv7();
    const dead = await receiver(() => ({ status: 503 }));
    const gone = await receiver(() => ({ status: 410 }));
    await endpoint(org, dead.url, { eventTypes: ['table.entry.added'] });
    const goneEndpoint = await endpoint(org, gone.url, { eventTypes: ['table.entry.added'] });
    const entry = leads.add(org, {});
    await publishEvent(delivery.nc, delivery.names, entryAdded(entry));
    const both = await finished(org, entry.id, 2);
    const byEndpoint = (id: string) => both.find((d) => d.endpointId === id)!;
    expect(byEndpoint(goneEndpoint.id)).toMatchObject({ status: 'failed', attempts: 1 });
    const failedOne = both.find((d) => d.endpointId !== goneEndpoint.id)!;
    expect(failedOne).toMatchObject({ status: 'failed', attempts: 6, lastError: 'HTTP 503' });
    expect(dead.requests).toHaveLength(6);
    expect(gone.requests).toHaveLength(1);
    expect(await send(COMMANDS.endpointsGet, { organizationId: org, id: goneEndpoint.id })).toMatchObject({
      enabled: false,
      disabledReason: 'the receiver answered 410 Gone',
    });
    const failedEvent = await deliveryEvents.waitFor(
      (e) => e.body.type === DELIVERY_WEBHOOK_FAILED && e.body.data.deliveryId === failedOne.id,
    );
    expect(failedEvent[0]!.body).toMatchObject({
      organizationid: org,
      data: { kind: 'webhook', status: 'failed', attempts: 6, entryId: entry.id, runId: null },
    });
  }, 60_000);

  it("subscribes to what emails' and texts' recipients did, but not to delivery's own outcomes", async () => {
    const org = uuidv7();
    const hook = await receiver();
    const standard = await endpoint(org, `${hook.url}/standard`, { eventTypes: ['email.*'] });
    await endpoint(org, `${hook.url}/form`, { eventTypes: ['email.opened', 'sms.replied'], format: 'form' });
    const entry = leads.add(org, { firstName: 'Ada' });
    const opened = createEvent({
      type: EMAIL_OPENED,
      source: '/delivery',
      subject: entry.id,
      data: { deliveryId: uuidv7(), entryId: entry.id, email: 'ada@example.test', url: null },
      actor: actorOf(org),
    });
    const replied = createEvent({
      type: SMS_REPLIED,
      source: '/delivery',
      subject: entry.id,
      data: { entryId: entry.id, deliveryId: null, from: '+4915112345678', body: 'STOP', messageSid: 'SM1' },
      actor: actorOf(org),
    });
    await publishEvent(delivery.nc, delivery.names, opened);
    await publishEvent(delivery.nc, delivery.names, replied);
    await eventually(() => hook.requests.length === 3, { message: '3 deliveries received' });
    const signed = hook.requests.find((r) => r.url === '/standard')!;
    const verified = new Webhook(standard.secret).verify(signed.body, {
      'webhook-id': String(signed.headers['webhook-id']),
      'webhook-timestamp': String(signed.headers['webhook-timestamp']),
      'webhook-signature': String(signed.headers['webhook-signature']),
    });
    expect(verified).toMatchObject({ id: opened.id, type: EMAIL_OPENED });
    const codes = hook.requests
      .filter((r) => r.url === '/form')
      .map((r) => new URLSearchParams(r.body))
      .map((form) => [form.get('eventtype'), form.get('firstName')]);
    expect(codes.sort()).toEqual([
      ['emailopened', 'Ada'],
      ['smsreplied', 'Ada'],
    ]);
    // A subscribed delivery.webhook.failed could fail and notify of itself: refused, naming the pattern.
    const refused = await failure(
      send(COMMANDS.endpointsCreate, {
        actor: actorOf(org),
        url: hook.url,
        eventTypes: ['table.entry.added', 'delivery.webhook.failed'],
      }),
    );
    expect(refused.details?.errors).toEqual([expect.objectContaining({ field: 'eventTypes[1]' })]);
  });

  it('a dead endpoint does not delay a healthy one', async () => {
    const org = uuidv7();
    const stuck = await receiver(() => 'hang');
    const healthy = await receiver();
    await endpoint(org, stuck.url, { eventTypes: ['table.entry.added'], timeoutMs: 20_000 });
    await endpoint(org, healthy.url, { eventTypes: ['table.entry.added'] });
    const entries = Array.from({ length: 10 }, () => leads.add(org, {}));
    for (const entry of entries) await publishEvent(delivery.nc, delivery.names, entryAdded(entry));
    await eventually(() => healthy.requests.length === 10, {
      timeoutMs: 10_000,
      message: 'healthy got all 10',
    });
    // Meanwhile the stuck one holds its two lanes (DELIVERY_ENDPOINT_CONCURRENCY=2) and has answered nothing.
    expect(stuck.requests.length).toBeLessThanOrEqual(2);
    // Let go of the held requests, so no attempt is still in flight when a later test restarts delivery.
    await stuck.stop();
  });

  it('a dead endpoint does not delay a healthy one on the same host', async () => {
    const org = uuidv7();
    // One server: requests to /stuck are held, /healthy answers at once.
    const shared = await receiver((request) => (request.url.startsWith('/stuck') ? 'hang' : { status: 200 }));
    await endpoint(org, `${shared.url}/stuck`, { eventTypes: ['table.entry.added'], timeoutMs: 20_000 });
    await endpoint(org, `${shared.url}/healthy`, { eventTypes: ['table.entry.added'] });
    const entries = Array.from({ length: 10 }, () => leads.add(org, {}));
    for (const entry of entries) await publishEvent(delivery.nc, delivery.names, entryAdded(entry));
    const toHealthy = () => shared.requests.filter((r) => r.url === '/healthy').length;
    await eventually(() => toHealthy() === 10, { timeoutMs: 10_000, message: 'healthy got all 10' });
    // The stuck endpoint holds its two connections (DELIVERY_ENDPOINT_CONCURRENCY=2), not the healthy one's.
    expect(shared.requests.filter((r) => r.url === '/stuck').length).toBeLessThanOrEqual(2);
    await shared.stop();
  });

  it('sends the form format with the lead, eventtype and eventdatetime, secrets in the URL', async () => {
    const org = uuidv7();
    const hook = await receiver();
    await endpoint(org, `${hook.url}/form?secret=s3cret`, {
      eventTypes: ['table.entry.added'],
      format: 'form',
    });
    const entry = leads.add(org, { firstName: 'Ada', tags: ['a', 'b'] });
    await publishEvent(delivery.nc, delivery.names, entryAdded(entry));
    const [sent] = await finished(org, entry.id);
    expect(sent).toMatchObject({ status: 'succeeded', destination: `${hook.url}/form` });
    const received = hook.requests[0]!;
    expect(received.url).toBe('/form?secret=s3cret');
    expect(received.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(received.body);
    expect(form.get('eventtype')).toBe('deliveryall');
    expect(form.get('eventdatetime')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(form.get('id')).toBe(entry.id);
    expect(form.get('tableId')).toBe(entry.tableId);
    expect(form.get('firstName')).toBe('Ada');
    expect(form.getAll('tags')).toEqual(['a', 'b']);
  });

  it("sends a milestone's legacy code to a form endpoint, for a subscription and for a run that does not know the endpoint's format", async () => {
    const org = uuidv7();
    const hook = await receiver();
    const formEndpoint = await endpoint(org, `${hook.url}/form`, {
      eventTypes: ['table.entry.milestone.reached'],
      format: 'form',
    });
    const subscribed = leads.add(org, { firstName: 'Mo' });
    await publishEvent(
      delivery.nc,
      delivery.names,
      createEvent({
        type: 'table.entry.milestone.reached',
        source: '/leads',
        subject: subscribed.id,
        data: {
          entryId: subscribed.id,
          tableId: subscribed.tableId,
          milestone: 'converted',
          leadStateId: subscribed.leadStateId,
        },
        actor: actorOf(org),
      }),
    );
    await finished(org, subscribed.id);
    const requested = leads.add(org, { firstName: 'Lu' });
    await publishEvent(
      delivery.nc,
      delivery.names,
      deliveryRequest(org, {
        entryId: requested.id,
        webhook: {
          url: null,
          endpointId: formEndpoint.id,
          format: 'standard',
          body: undefined,
          eventType: 'table.entry.milestone.reached',
          formCode: 'progqualified',
        },
      }),
    );
    await finished(org, requested.id);
    const codes = hook.requests.map((r) => new URLSearchParams(r.body).get('eventtype'));
    expect(codes.sort()).toEqual(['progconverted', 'progqualified']);
  });

  it('delivers an automation request once per idempotency key; a raw URL goes unsigned; a refused destination is not retried', async () => {
    const org = uuidv7();
    const hook = await receiver();
    const entry = leads.add(org, { firstName: 'Bo' });
    const asked = deliveryRequest(org, {
      entryId: entry.id,
      webhook: {
        url: `${hook.url}/raw`,
        endpointId: null,
        format: 'standard',
        body: { hello: 'Bo' },
        eventType: 'table.entry.added',
      },
    });
    await publishEvent(delivery.nc, delivery.names, asked);
    await publishEvent(delivery.nc, delivery.names, { ...asked, id: uuidv7() });
    const [sent] = await finished(org, entry.id);
    expect(sent).toMatchObject({
      status: 'succeeded',
      runId: asked.data.runId,
      stepIndex: 0,
      endpointId: null,
    });
    expect((await historyOf(org, entry.id)).items).toHaveLength(1);
    expect(hook.requests[0]!.headers['webhook-signature']).toBeUndefined();
    expect(JSON.parse(hook.requests[0]!.body)).toMatchObject({
      type: 'table.entry.added',
      data: { hello: 'Bo' },
    });

    const refusedEntry = leads.add(org, {});
    await publishEvent(
      delivery.nc,
      delivery.names,
      deliveryRequest(org, {
        entryId: refusedEntry.id,
        webhook: { url: 'http://127.0.0.2:9/x', endpointId: null, format: 'standard', body: {} },
      }),
    );
    const [refused] = await finished(org, refusedEntry.id);
    expect(refused).toMatchObject({ status: 'failed', attempts: 1, lastError: 'destination not allowed' });
    expect(refused!.attemptLog).toEqual([
      expect.objectContaining({ error: 'destination not allowed', nextAttemptAt: null }),
    ]);

    const missingEntry = leads.add(org, {});
    await publishEvent(
      delivery.nc,
      delivery.names,
      deliveryRequest(org, {
        entryId: missingEntry.id,
        webhook: { url: null, endpointId: uuidv7(), format: 'standard', body: {} },
      }),
    );
    const [missing] = await finished(org, missingEntry.id);
    expect(missing).toMatchObject({
      status: 'failed',
      attempts: 0,
      lastError: 'the endpoint does not exist',
    });
  });

  it('rotating the secret signs with both secrets for the overlap; test and resend send again', async () => {
    const org = uuidv7();
    const hook = await receiver();
    const created = await endpoint(org, hook.url);
    const { secret } = await send(COMMANDS.endpointsRotateSecret, { actor: actorOf(org), id: created.id });
    expect(secret).not.toBe(created.secret);
    const test = await send(COMMANDS.endpointsTest, { actor: actorOf(org), id: created.id });
    expect(test).toMatchObject({ eventType: 'webhook.test', status: 'pending' });
    await eventually(() => hook.requests.length === 1);
    const received = hook.requests[0]!;
    const headers = {
      'webhook-id': String(received.headers['webhook-id']),
      'webhook-timestamp': String(received.headers['webhook-timestamp']),
      'webhook-signature': String(received.headers['webhook-signature']),
    };
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const key of [created.secret, secret])
      expect(new Webhook(key).verify(received.body, headers)).toMatchObject({ type: 'webhook.test' });
    const again = await send(COMMANDS.deliveriesResend, { actor: actorOf(org), id: test.id });
    expect(again.id).not.toBe(test.id);
    await eventually(() => hook.requests.length === 2);
    expect(hook.requests[1]!.body).toBe(received.body);
    expect(
      await failure(send(COMMANDS.deliveriesResend, { actor: actorOf(uuidv7()), id: test.id })),
    ).toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('a restart during the retry schedule loses nothing: the next replica sends the retry', async () => {
    const org = uuidv7();
    const hook = await receiver((_r, i) => (i === 0 ? { status: 500 } : { status: 200 }));
    await endpoint(org, hook.url, { eventTypes: ['table.entry.added'] });
    const entry = leads.add(org, {});
    await publishEvent(delivery.nc, delivery.names, entryAdded(entry));
    await eventually(async () => (await historyOf(org, entry.id)).items[0]?.attempts === 1);
    await delivery.apps.shift()!.close();
    await delivery.boot();
    const [sent] = await finished(org, entry.id);
    expect(sent).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(hook.requests).toHaveLength(2);
  });
});
