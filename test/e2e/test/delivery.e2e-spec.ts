import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { Webhook } from 'standardwebhooks';
import { eventually } from '@rocketlead/testing';
import { Api, E2E } from './support/platform';

interface Hit {
  url: string;
  headers: Record<string, string>;
  body: string;
}

interface DeliveryView {
  id: string;
  kind: string;
  status: string;
  eventType: string;
  endpointId: string | null;
  runId: string | null;
  attempts: number;
  attemptLog: { status: string; responseStatus: number | null }[];
}

/** A webhook receiver on 127.0.0.1 (allowed for this platform by DELIVERY_ALLOWED_CIDRS). */
async function receiver(): Promise<{ server: Server; url: string; hits: Hit[] }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(req.headers)) headers[key] = String(value);
      hits.push({ url: req.url ?? '', headers, body });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

describe('delivery (all services as processes, a local receiver and SMTP server)', () => {
  let e2e: E2E;
  let admin: Api;
  let smtp: SMTPServer;
  const mails: string[] = [];
  let hooks: Awaited<ReturnType<typeof receiver>>;

  const lead = async (tableId: string, data: Record<string, unknown>): Promise<string> => {
    const res = await admin.post<{ id: string }>('/connect/table_entries', { tableId, data });
    expect(res.status).toBe(201);
    return res.body.id;
  };
  const deliveriesOf = async (entryId: string): Promise<DeliveryView[]> => {
    const res = await admin.get<{ items: DeliveryView[] }>(`/connect/table_entries/${entryId}/deliveries`);
    expect(res.status).toBe(200);
    return res.body.items;
  };
  const finished = (entryId: string, count: number) =>
    eventually(
      async () => {
        const items = (await deliveriesOf(entryId)).filter((d) => d.status !== 'pending');
        return items.length >= count ? items : undefined;
      },
      { timeoutMs: 30_000, message: `${count} finished deliveries of ${entryId}` },
    );

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, callback) {
        let raw = '';
        stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
        stream.on('end', () => {
          mails.push(raw);
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    hooks = await receiver();
    e2e = await E2E.start({ SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}` });
    ({ admin } = await e2e.organization('Delivery'));
  }, 180_000);

  afterAll(async () => {
    await e2e?.stop();
    hooks?.server.closeAllConnections();
    await new Promise<void>((resolve) => (hooks ? hooks.server.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  }, 120_000);

  it('an event subscription receives each new lead, signed; an automation sends the form format; both are in the lead history', async () => {
    const pool = await e2e.pool(admin, { email: 'string', firstName: 'string' });
    const endpoint = await admin.post<{ id: string; secret: string }>('/connect/webhook_endpoints', {
      url: `${hooks.url}/events`,
      eventTypes: ['table.entry.added'],
    });
    expect(endpoint.status).toBe(201);
    const automation = await admin.post<{ id: string }>('/api/v1/automations', {
      name: 'Tell the CRM',
      trigger: { event: 'table.entry.added', triggerId: pool.poolId },
      actions: [
        {
          type: 'send_webhook',
          params: { url: `${hooks.url}/crm?secret=abc`, format: 'form', eventtype: 'deliveryass' },
        },
      ],
      status: 'active',
    });
    expect(automation.status).toBe(201);

    const entryId = await lead(pool.poolId, { email: 'ada@example.com', firstName: 'Ada' });
    const both = await finished(entryId, 2);
    expect(both.map((d) => d.status)).toEqual(['succeeded', 'succeeded']);

    const subscribed = hooks.hits.find((h) => h.url === '/events' && h.body.includes(entryId))!;
    const event = new Webhook(endpoint.body.secret).verify(subscribed.body, {
      'webhook-id': subscribed.headers['webhook-id']!,
      'webhook-timestamp': subscribed.headers['webhook-timestamp']!,
      'webhook-signature': subscribed.headers['webhook-signature']!,
    });
    expect(event).toMatchObject({
      type: 'table.entry.added',
      data: { id: entryId, data: { firstName: 'Ada' } },
    });
    const viaEndpoint = both.find((d) => d.endpointId === endpoint.body.id)!;
    expect(subscribed.headers['webhook-id']).toBe(viaEndpoint.id);

    const form = new URLSearchParams(hooks.hits.find((h) => h.url === '/crm?secret=abc')!.body);
    expect(form.get('eventtype')).toBe('deliveryass');
    expect(form.get('id')).toBe(entryId);
    expect(form.get('firstName')).toBe('Ada');

    // The run's step shows the outcome once delivery reported it.
    const requested = both.find((d) => d.runId !== null)!;
    const run = await eventually(async () => {
      const res = await admin.get<{
        steps: { delivery: { status: string } | null; output: { delivery?: { status: string } } }[];
      }>(`/api/v1/automations/${automation.body.id}/runs/${requested.runId}`);
      return res.body.steps?.[0]?.delivery ? res.body : undefined;
    });
    const outcome = { id: requested.id, status: 'succeeded', attempts: 1, error: null };
    expect(run.steps[0]!.delivery).toEqual(outcome);
    expect(run.steps[0]!.output.delivery).toEqual(outcome);

    const attempts = await admin.get<{ items: { deliveryId: string; status: string }[] }>(
      `/connect/webhook_endpoints/${endpoint.body.id}/attempts`,
    );
    expect(attempts.body.items).toEqual([
      expect.objectContaining({ deliveryId: viaEndpoint.id, status: 'succeeded' }),
    ]);
  });

  it('a subscription to table.entry.deleted hears of a deleted lead, which no automation can trigger on', async () => {
    const pool = await e2e.pool(admin, { email: 'string' });
    const endpoint = await admin.post('/connect/webhook_endpoints', {
      url: `${hooks.url}/deleted`,
      eventTypes: ['table.entry.deleted'],
    });
    expect(endpoint.status).toBe(201);
    const entryId = await lead(pool.poolId, { email: 'leaving@example.com' });
    expect((await admin.delete(`/connect/table_entries/${entryId}`)).status).toBe(204);
    const hit = await eventually(
      () => Promise.resolve(hooks.hits.find((h) => h.url === '/deleted' && h.body.includes(entryId))),
      {
        timeoutMs: 30_000,
        message: 'the deletion webhook',
      },
    );
    expect(JSON.parse(hit.body)).toMatchObject({
      type: 'table.entry.deleted',
      data: { entryId, tableId: pool.poolId },
    });
    const trigger = await admin.post('/api/v1/automations', {
      name: 'On deletion',
      trigger: { event: 'table.entry.deleted' },
      actions: [],
    });
    expect(trigger).toMatchObject({ status: 400, body: { errors: [{ field: 'trigger.event' }] } });
  });

  it('an email from an automation is tracked through the public links of ingress', async () => {
    const pool = await e2e.pool(admin, { email: 'string' });
    const automation = await admin.post('/api/v1/automations', {
      name: 'Welcome mail',
      trigger: { event: 'table.entry.added', triggerId: pool.poolId },
      actions: [
        {
          type: 'send_email',
          params: { subject: 'Welcome', html: '<p>Hi, see <a href="https://example.com/start">here</a></p>' },
        },
      ],
      status: 'active',
    });
    expect(automation.status).toBe(201);
    const entryId = await lead(pool.poolId, { email: 'grace@example.com' });
    // The first test's subscription sends this lead too: the email is the delivery of kind email.
    const mail = await eventually(async () =>
      (await deliveriesOf(entryId)).find((d) => d.kind === 'email' && d.status !== 'pending'),
    );
    expect(mail).toMatchObject({ kind: 'email', status: 'succeeded' });
    const raw = mails
      .find((m) => m.includes('grace@example.com'))!
      .replace(/=\r?\n/g, '')
      .replace(/=3D/g, '=');
    const link = (kind: string) => new RegExp(`(/public/e/${kind}/[A-Za-z0-9_.-]+)`).exec(raw)![1]!;

    const pixel = await fetch(`${e2e.platform.baseUrl}${link('o')}`);
    expect(pixel.status).toBe(200);
    expect(pixel.headers.get('content-type')).toBe('image/gif');
    const click = await fetch(`${e2e.platform.baseUrl}${link('c')}`, { redirect: 'manual' });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe('https://example.com/start');
    const opened = await e2e.deliveryEvents.waitFor(
      (e) => e.body.type === 'email.opened' && e.body.data.deliveryId === mail.id,
    );
    expect(opened[0]!.body.data).toMatchObject({ entryId, email: 'grace@example.com' });
    await e2e.deliveryEvents.waitFor(
      (e) => e.body.type === 'email.clicked' && e.body.data.deliveryId === mail.id,
    );
  });
});
