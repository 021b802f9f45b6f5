import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@rocketlead/testing';
import { startIngress, type IngressUnderTest } from './support';

describe('ingress service (real Postgres and NATS; leads as a process)', () => {
  let ingress: IngressUnderTest;
  let admin: string;
  const call: IngressUnderTest['call'] = (...args) => ingress.call(...args);
  const bootstrap = (name: string) => ingress.bootstrap(name);

  async function poolWithWebhook(
    token: string,
  ): Promise<{ poolId: string; webhookId: string; webhookToken: string }> {
    const pool = await call('POST', '/connect/lead_pools', token, { name: 'P' });
    await call('POST', `/connect/lead_pools/${pool.body.id as string}/lead_states`, token, {
      name: 'New',
      isDefault: true,
    });
    const hook = await call('POST', '/connect/ingress_webhooks', token, { tableId: pool.body.id });
    return {
      poolId: pool.body.id as string,
      webhookId: hook.body.id as string,
      webhookToken: hook.body.token as string,
    };
  }

  beforeAll(async () => {
    ingress = await startIngress('ingress', ['leads']);
    admin = (await bootstrap('Acme')).token;
  }, 120_000);

  afterAll(() => ingress?.stop(), 120_000);

  it('answers 401 for a missing, unknown or revoked token and 403 for a missing scope', async () => {
    expect((await call('GET', '/connect/custom_fields')).status).toBe(401);
    expect((await call('GET', '/connect/custom_fields', 'rocketlead_unknown')).status).toBe(401);
    const reader = await call('POST', '/connect/api_tokens', admin, { name: 'reader', scopes: ['read'] });
    expect(reader.status).toBe(201);
    expect(reader.body.token).toMatch(/^rocketlead_/);
    const readToken = reader.body.token as string;
    expect((await call('GET', '/connect/custom_fields', readToken)).status).toBe(200);
    const forbidden = await call('POST', '/connect/custom_fields', readToken, { name: 'x', type: 'string' });
    expect(forbidden).toMatchObject({ status: 403, body: { statusCode: 403, error: 'Forbidden' } });
    expect((await call('DELETE', `/connect/api_tokens/${reader.body.id as string}`, admin)).status).toBe(204);
    expect(await call('GET', '/connect/custom_fields', readToken)).toMatchObject({
      status: 401,
      body: { statusCode: 401, error: 'Unauthorized' },
    });
  });

  it('stops accepting a revoked token on another replica as the revocation commits (tokens are kept in memory)', async () => {
    const created = await call('POST', '/connect/api_tokens', admin, { name: 'elsewhere', scopes: ['read'] });
    const token = created.body.token as string;
    const replica = await ingress.replica();
    try {
      const atReplica = () =>
        replica.inject({
          method: 'GET',
          url: '/connect/custom_fields',
          headers: { authorization: `Bearer ${token}` },
        });
      // The replica has the token in memory now.
      expect((await atReplica()).statusCode).toBe(200);
      expect((await atReplica()).statusCode).toBe(200);
      expect((await call('DELETE', `/connect/api_tokens/${created.body.id as string}`, admin)).status).toBe(
        204,
      );
      // Its copy goes with the NOTIFY, well before the one-second age limit would drop it.
      await eventually(async () => (await atReplica()).statusCode === 401, {
        timeoutMs: 500,
        intervalMs: 10,
        message: 'revoked token refused by the other replica',
      });
    } finally {
      await replica.close();
    }
  });

  it('never shows another organization its objects (404)', async () => {
    const other = (await bootstrap('Other')).token;
    const { poolId, webhookId } = await poolWithWebhook(admin);
    expect((await call('GET', `/connect/lead_pools/${poolId}`, other)).status).toBe(404);
    expect((await call('POST', '/connect/ingress_webhooks', other, { tableId: poolId })).status).toBe(404);
    expect((await call('DELETE', `/connect/ingress_webhooks/${webhookId}`, other)).status).toBe(404);
    expect((await call('POST', '/connect/table_entries', other, { tableId: poolId, data: {} })).status).toBe(
      404,
    );
  });

  it('creates a lead pool with its settings, as a PATCH would set them', async () => {
    const created = await call('POST', '/connect/lead_pools', admin, {
      name: 'Contacts',
      tableSchema: { email: 'string', born: 'string' },
      dedupe: { keys: ['email'] },
      birthdayField: 'born',
    });
    expect(created).toMatchObject({
      status: 201,
      body: {
        tableSchema: { email: 'string', born: 'string' },
        dedupe: { keys: ['email'] },
        birthdayField: 'born',
      },
    });
    const bad = await call('POST', '/connect/lead_pools', admin, {
      name: 'Bad',
      tableSchema: { n: 'integer' },
    });
    expect(bad.status).toBe(400);
  });

  it('stops accepting a webhook token as soon as it is rotated', async () => {
    const { webhookId, webhookToken } = await poolWithWebhook(admin);
    const post = (token: string) =>
      call(
        'POST',
        `/public/ingress_webhooks/${webhookId}`,
        undefined,
        { data: { a: 'b' } },
        { 'x-rocketlead-ingress-token': token },
      );
    expect((await post(webhookToken)).status).toBe(201);
    const rotated = await call('POST', `/connect/ingress_webhooks/${webhookId}/rotate_token`, admin);
    expect(rotated.status).toBe(200);
    expect(rotated.body.token).toMatch(/^[0-9a-f]{64}$/);
    expect(await post(webhookToken)).toMatchObject({
      status: 401,
      body: { message: 'Invalid webhook token' },
    });
    expect((await post(rotated.body.token as string)).status).toBe(201);
  });

  it('checks the webhook before the body: unknown id 404, bad token 401, then body errors 400', async () => {
    const { webhookId, webhookToken } = await poolWithWebhook(admin);
    const unknown = await call(
      'POST',
      '/public/ingress_webhooks/00000000-0000-4000-8000-000000000000',
      undefined,
      { nope: 1 },
    );
    expect(unknown).toEqual({
      status: 404,
      body: { statusCode: 404, error: 'Not Found', message: 'Webhook not found' },
    });
    expect((await call('POST', `/public/ingress_webhooks/${webhookId}`, undefined, { nope: 1 })).status).toBe(
      401,
    );
    const shape = await call(
      'POST',
      `/public/ingress_webhooks/${webhookId}`,
      undefined,
      { nope: 1 },
      { 'x-rocketlead-ingress-token': webhookToken },
    );
    expect(shape.status).toBe(400);
    expect(shape.body.message).toBe('Validation failed');
    expect((shape.body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(['data', 'nope']);
  });

  it('maps body problems to 400/413 with the common error shape', async () => {
    const malformed = await call('POST', '/connect/lead_pools', admin, '{"name":');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    const text = await ingress.app.inject({
      method: 'POST',
      url: '/connect/lead_pools',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/plain' },
      payload: 'name',
    });
    expect(text.statusCode).toBe(400);
    expect((JSON.parse(text.body) as { message: string }).message).toContain(
      'Content-Type must be application/json',
    );
    const big = await call('POST', '/connect/lead_pools', admin, { name: 'x'.repeat(1024 * 1024 + 10) });
    expect(big).toMatchObject({ status: 413, body: { statusCode: 413, error: 'Payload Too Large' } });
  });

  it('replays an Idempotency-Key, refuses it with another body, and creates one entry for concurrent retries', async () => {
    const { poolId, webhookId, webhookToken } = await poolWithWebhook(admin);
    const headers = { 'x-rocketlead-ingress-token': webhookToken, 'idempotency-key': 'order-1' };
    const results = await Promise.all(
      [1, 2, 3].map(() =>
        call('POST', `/public/ingress_webhooks/${webhookId}`, undefined, { data: { e: 'a' } }, headers),
      ),
    );
    const created = results.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const r of results) if (r.status !== 201) expect(r.status).toBe(409);
    const replay = await call(
      'POST',
      `/public/ingress_webhooks/${webhookId}`,
      undefined,
      { data: { e: 'a' } },
      headers,
    );
    expect(replay.status).toBe(201);
    expect(replay.body.id).toBe(created[0]!.body.id);
    const mismatch = await call(
      'POST',
      `/public/ingress_webhooks/${webhookId}`,
      undefined,
      { data: { e: 'b' } },
      headers,
    );
    expect(mismatch.status).toBe(422);
    const list = await call('GET', `/connect/table_entries?tableId=${poolId}`, admin);
    expect((list.body.items as unknown[]).length).toBe(1);
  });
});
