import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { startIngress, type IngressUnderTest } from './support';

const POSTS = 30;

// A path that holds a connection while asking the pool for another waits out the connect timeout once every
// connection is held that way. With one connection, such a path in ingress (tokens, webhooks, idempotency
// keys, the public rate limit) stalls this burst instead of passing.
describe('ingress on a pool of one connection (real Postgres and NATS; leads as a process)', () => {
  let ingress: IngressUnderTest;
  let admin: string;
  const call: IngressUnderTest['call'] = (...args) => ingress.call(...args);

  beforeAll(async () => {
    ingress = await startIngress('ingr-one-conn', ['leads'], { DB_POOL_SIZE: '1' });
    admin = (await ingress.bootstrap('Acme')).token;
  }, 120_000);

  afterAll(() => ingress?.stop(), 120_000);

  it('takes a burst of token changes, webhook posts with Idempotency-Keys and form submissions', async () => {
    expect((ingress.app.get(DataSource).options as { poolSize?: number }).poolSize).toBe(1);
    const pool = await call('POST', '/connect/lead_pools', admin, { name: 'P' });
    const poolId = pool.body.id as string;
    await call('POST', `/connect/lead_pools/${poolId}/lead_states`, admin, { name: 'New', isDefault: true });
    const hook = await call('POST', '/connect/ingress_webhooks', admin, { tableId: poolId });
    const webhookId = hook.body.id as string;
    const form = await call('POST', '/connect/forms', admin, {
      name: 'Inquiry',
      tableId: poolId,
      fields: [{ key: 'email', label: 'Email', type: 'email', required: true }],
    });
    expect(form.status).toBe(201);
    const post = (i: number) =>
      call(
        'POST',
        `/public/ingress_webhooks/${webhookId}`,
        undefined,
        { data: { n: i } },
        { 'x-rocketlead-ingress-token': hook.body.token as string, 'idempotency-key': `post-${i}` },
      );
    // Each submission takes the public rate limit's lock in a transaction.
    const submit = (i: number) =>
      call('POST', `/public/forms/${form.body.id as string}`, undefined, {
        email: `visitor${i}@example.com`,
      });

    const [tokens, first, submitted] = await Promise.all([
      Promise.all(
        [1, 2, 3].map((i) => call('POST', '/connect/api_tokens', admin, { name: `t${i}`, scopes: ['read'] })),
      ),
      Promise.all(Array.from({ length: POSTS }, (_, i) => post(i))),
      Promise.all(Array.from({ length: 5 }, (_, i) => submit(i))),
    ]);
    expect(tokens.map((t) => t.status)).toEqual([201, 201, 201]);
    expect(first.map((r) => r.status)).toEqual(Array.from({ length: POSTS }, () => 201));
    expect(submitted.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    // Every key again: the first answers are replayed, nothing new is created.
    const repeated = await Promise.all(Array.from({ length: POSTS }, (_, i) => post(i)));
    expect(repeated.map((r) => r.body.id)).toEqual(first.map((r) => r.body.id));

    // Revocations and a webhook token rotation (each a transaction with its NOTIFY) beside more submissions.
    const [revoked, rotated, more] = await Promise.all([
      Promise.all(
        tokens.slice(1).map((t) => call('DELETE', `/connect/api_tokens/${t.body.id as string}`, admin)),
      ),
      call('POST', `/connect/ingress_webhooks/${webhookId}/rotate_token`, admin),
      Promise.all(Array.from({ length: 3 }, (_, i) => submit(5 + i))),
    ]);
    expect(revoked.map((r) => r.status)).toEqual([204, 204]);
    expect(rotated.status).toBe(200);
    expect(more.map((r) => r.status)).toEqual([201, 201, 201]);
    const list = await call(
      'GET',
      `/connect/table_entries?tableId=${poolId}&limit=100`,
      tokens[0]!.body.token as string,
    );
    expect(list.status).toBe(200);
    expect((list.body.items as unknown[]).length).toBe(POSTS + 8);
  });
});
