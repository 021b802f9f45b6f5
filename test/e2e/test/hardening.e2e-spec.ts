import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request as httpRequest } from 'node:http';
import {
  MAX_ENTRY_BYTES,
  MAX_KEYS_PER_OBJECT,
  MAX_SCHEMA_KEYS,
  MAX_STRING_LENGTH,
  PAGE_BYTE_BUDGET,
  TABLE_ENTRY_ADDED,
} from '@rocketlead/contracts';
import type { ApiResponse as Response } from '@rocketlead/testing';
import { Api, E2E, type PoolSetup } from './support/platform';

interface FieldError {
  field: string;
  message: string;
}

/** Every request of the original reports, replayed against the running platform (all services as processes). */
describe('hardening: hostile and odd requests get a 4xx and the platform keeps serving', () => {
  let e2e: E2E;
  let admin: Api;
  let setup: PoolSetup;

  /** A normal lead posted after the bad request is still stored and its event published within seconds. */
  async function stillServingAndPublishing(): Promise<void> {
    const res = await e2e.ingest(setup, { data: { email: 'after@example.com' } });
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    await e2e.events.waitFor((e) => e.body.type === TABLE_ENTRY_ADDED && e.body.subject === id, 15_000);
  }

  const errors = (res: Response): FieldError[] => (res.body.errors ?? []) as FieldError[];
  const fieldsOf = (res: Response): string[] => errors(res).map((e) => e.field);

  /** Sends a raw body (exact bytes) to a route. */
  function raw(
    method: string,
    pathname: string,
    body: string | undefined,
    headers: Record<string, string>,
  ): Promise<Response> {
    return admin.request(method, pathname, body, headers);
  }

  async function entriesOf(poolId: string): Promise<number> {
    const res = await admin.get<{ items: unknown[] }>(`/connect/table_entries?tableId=${poolId}&limit=100`);
    return res.body.items.length;
  }

  /** `count` strings of `length` characters: a data object of a known serialized size. */
  const strings = (count: number, length: number): Record<string, string> =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`s${i}`, 'x'.repeat(length)]));

  beforeAll(async () => {
    e2e = await E2E.start();
    ({ admin } = await e2e.organization('Hardening Inc'));
    setup = await e2e.pool(admin);
  }, 120_000);

  afterAll(async () => {
    await e2e?.stop();
  }, 60_000);

  describe('sizes and counts', () => {
    it('refuses a webhook body whose data has 15,000 object-valued keys, naming the limit once', async () => {
      const data = Object.fromEntries(Array.from({ length: 15_000 }, (_, i) => [`k${i}`, { nested: i }]));
      const res = await e2e.ingest(setup, { data });
      expect(res.status).toBe(400);
      expect(errors(res)).toEqual([
        { field: 'data', message: `must have at most ${MAX_KEYS_PER_OBJECT} keys (got 15000)` },
      ]);
      await stillServingAndPublishing();
    });

    it('refuses 22,000 unknown custom-field ids, naming customFieldData', async () => {
      const customFieldData = Object.fromEntries(
        Array.from({ length: 22_000 }, (_, i) => [
          `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`,
          'x',
        ]),
      );
      const res = await e2e.ingest(setup, { data: { a: 'b' }, customFieldData });
      expect(res.status).toBe(400);
      expect(fieldsOf(res)).toEqual(['customFieldData']);
      expect(errors(res)[0]!.message).toContain(`at most ${MAX_KEYS_PER_OBJECT} keys`);
      await stillServingAndPublishing();
    });

    it('refuses ~600 KB entries with a 413 naming data and the limit; the list still answers', async () => {
      const pool = await e2e.pool(admin);
      for (let i = 0; i < 2; i++) {
        const res = await e2e.ingest(pool, { data: strings(10, 60_000) });
        expect(res.status).toBe(413);
        expect(res.body).toMatchObject({ statusCode: 413, field: 'data', limit: MAX_ENTRY_BYTES });
        expect(res.body.message).toContain(`the limit is ${MAX_ENTRY_BYTES} bytes`);
      }
      expect(await entriesOf(pool.poolId)).toBe(0);
      expect((await admin.get('/connect/table_entries?limit=100')).status).toBe(200);
      await stillServingAndPublishing();
    });

    it('splits a page of entries near the maximum size by its byte budget, without gaps or overlap', async () => {
      const pool = await e2e.pool(admin);
      const created: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await e2e.ingest(pool, { data: strings(4, 60_000) });
        expect(res.status).toBe(201);
        created.push(res.body.id as string);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
        const res = await admin.get<{ items: { id: string }[]; nextCursor: string | null }>(
          `/connect/table_entries?tableId=${pool.poolId}&limit=100${query}`,
        );
        expect(res.status).toBe(200);
        expect(Buffer.byteLength(JSON.stringify(res.body.items))).toBeLessThanOrEqual(PAGE_BYTE_BUDGET);
        expect(res.body.items.length).toBeGreaterThan(0);
        seen.push(...res.body.items.map((item) => item.id));
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBeGreaterThan(1);
      expect(seen).toEqual([...created].reverse());
      await stillServingAndPublishing();
    });

    it('refuses a PATCH of a 50,000-key table schema, and the request past 1,000 keys adds nothing', async () => {
      const pool = await e2e.pool(admin);
      const huge = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, 'string']));
      const tooMany = await admin.patch(`/connect/lead_pools/${pool.poolId}`, { tableSchema: huge });
      expect(tooMany.status).toBe(400);
      expect(fieldsOf(tooMany)).toEqual(['tableSchema']);

      for (let batch = 0; batch < MAX_SCHEMA_KEYS / MAX_KEYS_PER_OBJECT; batch++) {
        const tableSchema = Object.fromEntries(
          Array.from({ length: MAX_KEYS_PER_OBJECT }, (_, i) => [`b${batch}_${i}`, 'string']),
        );
        expect((await admin.patch(`/connect/lead_pools/${pool.poolId}`, { tableSchema })).status).toBe(200);
      }
      const full = await admin.patch(`/connect/lead_pools/${pool.poolId}`, {
        tableSchema: { one: 'string', more: 'number' },
      });
      expect(full.status).toBe(400);
      expect(errors(full)).toEqual([
        {
          field: 'tableSchema',
          message: `The lead pool schema would have ${MAX_SCHEMA_KEYS + 2} keys; the limit is ${MAX_SCHEMA_KEYS}`,
        },
      ]);
      // A webhook that would infer a new key is refused the same way and stores no entry.
      const inferred = await e2e.ingest(pool, { data: { brandNew: 'x' } });
      expect(inferred.status).toBe(400);
      expect(fieldsOf(inferred)).toEqual(['data']);
      const after = await admin.get<{ tableSchema: Record<string, string> }>(
        `/connect/lead_pools/${pool.poolId}`,
      );
      expect(after.status).toBe(200);
      expect(Object.keys(after.body.tableSchema)).toHaveLength(MAX_SCHEMA_KEYS);
      expect(await entriesOf(pool.poolId)).toBe(0);
      await stillServingAndPublishing();
    });

    it('refuses a PATCH that would grow an entry past the limit and leaves the entry as it was', async () => {
      const pool = await e2e.pool(admin, {
        s0: 'string',
        s1: 'string',
        s2: 'string',
        s3: 'string',
        s4: 'string',
      });
      const created = await e2e.ingest(pool, { data: strings(3, 60_000) });
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      const res = await admin.patch(`/connect/table_entries/${id}`, {
        data: { s3: 'y'.repeat(60_000), s4: 'y'.repeat(60_000) },
      });
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ field: 'data', limit: MAX_ENTRY_BYTES });
      const stored = await admin.get<{ data: Record<string, string> }>(`/connect/table_entries/${id}`);
      expect(stored.body).toEqual(created.body);
      await stillServingAndPublishing();
    });

    it('refuses a ~1 MB string value, naming its key and the string limit', async () => {
      const res = await e2e.ingest(setup, { data: { note: 'x'.repeat(1_000_000) } });
      expect(res.status).toBe(400);
      expect(errors(res)).toEqual([
        { field: 'data.note', message: `must be at most ${MAX_STRING_LENGTH} characters (got 1000000)` },
      ]);
      await stillServingAndPublishing();
    });

    it('answers 60,000 `1e20` values (under 1 MiB, larger re-serialized) with a 4xx, not a 500', async () => {
      const asKeys = `{"data":{${Array.from({ length: 60_000 }, (_, i) => `"n${i}":1e20`).join(',')}}}`;
      expect(Buffer.byteLength(asKeys)).toBeLessThan(1024 * 1024);
      const keyed = await e2e.ingest(setup, asKeys);
      expect(keyed.status).toBe(400);
      expect(fieldsOf(keyed)).toEqual(['data']);

      const list = `[${new Array(1000).fill('1e20').join(',')}]`;
      const asArrays = `{"data":{${Array.from({ length: 60 }, (_, i) => `"a${i}":${list}`).join(',')}}}`;
      expect(Buffer.byteLength(asArrays)).toBeLessThan(1024 * 1024);
      const grown = await e2e.ingest(setup, asArrays);
      expect(grown.status).toBe(413);
      expect(grown.body.message).toContain('the limit is 1048576 bytes');
      await stillServingAndPublishing();
    });

    it('refuses deep nesting, even a 1 MiB body of [[[[, with a 400 (no stack overflow)', async () => {
      const depth = 512 * 1024;
      const res = await e2e.ingest(setup, '['.repeat(depth) + ']'.repeat(depth));
      expect(res.status).toBe(400);
      expect(errors(res)[0]!.message).toContain('nests deeper than 8 levels');
      const nested = await e2e.ingest(setup, { data: { a: [[[[[[[['x']]]]]]]] } });
      expect(nested.status).toBe(400);
      expect(errors(nested)[0]!.field).toMatch(/^data\.a/);
      await stillServingAndPublishing();
    });
  });

  describe('content', () => {
    it('refuses NUL bytes in values, keys and names, naming the field', async () => {
      const value = await e2e.ingest(setup, { data: { note: 'a\u0000b' } });
      expect(value.status).toBe(400);
      expect(fieldsOf(value)).toEqual(['data.note']);
      expect(errors(value)[0]!.message).toContain('NUL');
      const key = await e2e.ingest(setup, { data: { 'no\u0000te': 'x' } });
      expect(key.status).toBe(400);
      expect(fieldsOf(key)).toEqual(['data.no\\u0000te']);
      const name = await admin.post('/connect/lead_pools', { name: 'Pool\u0000' });
      expect(name.status).toBe(400);
      expect(fieldsOf(name)).toEqual(['name']);
      const cursor = await admin.get('/connect/table_entries?cursor=%00');
      expect(cursor.status).toBe(400);
      expect(fieldsOf(cursor)).toEqual(['cursor']);
      await stillServingAndPublishing();
    });

    it('refuses unpaired surrogates ("\\ud800") in values, keys and titles, naming the field', async () => {
      const value = await e2e.ingest(setup, '{"data":{"note":"\\ud800"}}');
      expect(value.status).toBe(400);
      expect(fieldsOf(value)).toEqual(['data.note']);
      expect(errors(value)[0]!.message).toContain('surrogate');
      const key = await e2e.ingest(setup, '{"data":{"\\udc00":"x"}}');
      expect(key.status).toBe(400);
      expect(fieldsOf(key)).toEqual(['data.\\udc00']);
      const state = await raw(
        'POST',
        `/connect/lead_pools/${setup.poolId}/lead_states`,
        '{"name":"a\\ud800"}',
        {
          'content-type': 'application/json',
        },
      );
      expect(state.status).toBe(400);
      expect(fieldsOf(state)).toEqual(['name']);
      // A proper pair (an emoji) is fine.
      expect((await e2e.ingest(setup, '{"data":{"note":"\\ud83d\\ude00"}}')).status).toBe(201);
      await stillServingAndPublishing();
    });

    it('refuses non-finite numbers naming the key, and a PATCH with one keeps the stored value', async () => {
      const res = await e2e.ingest(setup, '{"data":{"n":1e400,"m":-1e400}}');
      expect(res.status).toBe(400);
      expect(fieldsOf(res)).toEqual(['data.n', 'data.m']);
      expect(errors(res)[0]!.message).toContain('finite');

      const pool = await e2e.pool(admin, { n: 'number' });
      const created = await e2e.ingest(pool, { data: { n: 5 } });
      const id = created.body.id as string;
      const patch = await raw('PATCH', `/connect/table_entries/${id}`, '{"data":{"n":1e400}}', {
        'content-type': 'application/json',
      });
      expect(patch.status).toBe(400);
      expect(fieldsOf(patch)).toEqual(['data.n']);
      expect((await admin.get<{ data: unknown }>(`/connect/table_entries/${id}`)).body.data).toEqual({
        n: 5,
      });
      await stillServingAndPublishing();
    });

    it('stores keys named like Object.prototype members faithfully, through webhooks and the Connect API', async () => {
      const special = [
        'constructor',
        'prototype',
        'toString',
        'hasOwnProperty',
        '__defineGetter__',
        'valueOf',
      ];
      const data = Object.fromEntries(special.map((key, i) => [key, `v${i}`]));
      const pool = await e2e.pool(admin);
      const viaHook = await e2e.ingest(pool, { data });
      expect(viaHook.status).toBe(201);
      expect(viaHook.body.data).toEqual(data);
      const id = viaHook.body.id as string;
      expect((await admin.get(`/connect/table_entries/${id}`)).body.data).toEqual(data);
      const schema = (
        await admin.get<{ tableSchema: Record<string, string> }>(`/connect/lead_pools/${pool.poolId}`)
      ).body.tableSchema;
      expect(Object.keys(schema).sort()).toEqual([...special].sort());

      const viaConnect = await admin.post('/connect/table_entries', { tableId: pool.poolId, data });
      expect(viaConnect.status).toBe(201);
      expect(viaConnect.body.data).toEqual(data);
      const patched = await admin.patch(`/connect/table_entries/${id}`, { data: { toString: 'changed' } });
      expect(patched.status).toBe(200);
      expect(patched.body.data).toEqual({ ...data, toString: 'changed' });

      const other = await e2e.pool(admin);
      const tableSchema = Object.fromEntries(special.map((key) => [key, 'string']));
      const schemaPatch = await admin.patch(`/connect/lead_pools/${other.poolId}`, { tableSchema });
      expect(schemaPatch.status).toBe(200);
      expect(schemaPatch.body.tableSchema).toEqual(tableSchema);
      // A pool whose schema already holds these keys still takes new ones, and a rename of the pool too.
      const grown = await admin.patch<{ tableSchema: Record<string, string>; name: string }>(
        `/connect/lead_pools/${pool.poolId}`,
        { name: 'Renamed', tableSchema: { extra: 'string' } },
      );
      expect(grown.status).toBe(200);
      expect(grown.body.name).toBe('Renamed');
      expect(Object.keys(grown.body.tableSchema).sort()).toEqual([...special, 'extra'].sort());
      await stillServingAndPublishing();
    });

    it('refuses a __proto__ key with a message that says why', async () => {
      const res = await e2e.ingest(setup, '{"data":{"__proto__":{"polluted":true}}}');
      expect(res.status).toBe(400);
      expect(errors(res)).toEqual([
        {
          field: 'data.__proto__',
          message: '"__proto__" is not accepted as a key: JavaScript reserves it for the object prototype',
        },
      ]);
      await stillServingAndPublishing();
    });
  });

  describe('media types and bodiless requests', () => {
    it('parses application/merge-patch+json and other +json types as JSON and validates them like any body', async () => {
      const pool = await e2e.pool(admin, { city: 'string' });
      const created = await e2e.ingest(pool, { data: { city: 'Berlin' } });
      const id = created.body.id as string;
      const patched = await raw('PATCH', `/connect/table_entries/${id}`, '{"data":{"city":"Hamburg"}}', {
        'content-type': 'application/merge-patch+json',
      });
      expect(patched.status).toBe(200);
      expect(patched.body.data).toEqual({ city: 'Hamburg' });
      const vendor = await raw(
        'POST',
        `/public/ingress_webhooks/${pool.webhookId}`,
        '{"data":{"city":"Köln"},"extra":1}',
        {
          'content-type': 'application/vnd.acme+json; charset=utf-8',
          'x-rocketlead-ingress-token': pool.webhookToken,
        },
      );
      expect(vendor.status).toBe(400);
      expect(fieldsOf(vendor)).toEqual(['extra']);
      await stillServingAndPublishing();
    });

    /** Exactly what curl sends: the header and no body, with or without `Content-Length: 0`. */
    function bodiless(method: string, pathname: string, contentLength: boolean): Promise<number> {
      const url = new URL(pathname, e2e.platform.baseUrl);
      return new Promise((resolve, reject) => {
        const req = httpRequest(
          url,
          {
            method,
            headers: {
              authorization: `Bearer ${admin.token!}`,
              'content-type': 'application/json',
              ...(contentLength ? { 'content-length': '0' } : {}),
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end();
      });
    }

    it('accepts a body-less POST or DELETE sent with Content-Type: application/json', async () => {
      for (const contentLength of [false, true]) {
        const hook = await admin.post<{ id: string }>('/connect/ingress_webhooks', { tableId: setup.poolId });
        expect(
          await bodiless('POST', `/connect/ingress_webhooks/${hook.body.id}/rotate_token`, contentLength),
        ).toBe(200);
        expect(await bodiless('DELETE', `/connect/ingress_webhooks/${hook.body.id}`, contentLength)).toBe(
          204,
        );
        const token = await e2e.token(admin, ['read']);
        expect(await bodiless('DELETE', `/connect/api_tokens/${token.tokenId}`, contentLength)).toBe(204);
        expect((await token.api.get('/connect/table_entries')).status).toBe(401);
      }
      await stillServingAndPublishing();
    });
  });

  describe('calendars and idempotency', () => {
    it('stores time zones in their canonical spelling', async () => {
      for (const [sent, stored] of [
        ['utc', 'UTC'],
        ['europe/berlin', 'Europe/Berlin'],
      ] as const) {
        const res = await admin.post('/connect/calendars', { name: `Cal ${sent}`, timezone: sent });
        expect(res.status).toBe(201);
        expect(res.body.timezone).toBe(stored);
        expect((await admin.get(`/connect/calendars/${res.body.id as string}`)).body.timezone).toBe(stored);
      }
    });

    it('scopes Idempotency-Key per credential: a webhook cannot occupy a key of an API token', async () => {
      const pool = await e2e.pool(admin, { email: 'string' });
      const key = 'order-4711';
      const hooked = await e2e.ingest(
        pool,
        { data: { email: 'hook@example.com' } },
        { 'idempotency-key': key },
      );
      expect(hooked.status).toBe(201);
      const writer = await e2e.token(admin, ['write']);
      const viaToken = await writer.api.post(
        '/connect/table_entries',
        { tableId: pool.poolId, data: { email: 'crm@example.com' } },
        { 'idempotency-key': key },
      );
      expect(viaToken.status).toBe(201);
      expect(viaToken.body.id).not.toBe(hooked.body.id);
      // Each credential still replays its own key.
      const again = await e2e.ingest(
        pool,
        { data: { email: 'hook@example.com' } },
        { 'idempotency-key': key },
      );
      expect(again.body.id).toBe(hooked.body.id);
      const tokenAgain = await writer.api.post(
        '/connect/table_entries',
        { tableId: pool.poolId, data: { email: 'crm@example.com' } },
        { 'idempotency-key': key },
      );
      expect(tokenAgain.body.id).toBe(viaToken.body.id);
      // Another webhook of the same pool has its own keys too.
      const other = await admin.post<{ id: string; token: string }>('/connect/ingress_webhooks', {
        tableId: pool.poolId,
      });
      const otherHook = await e2e.ingest(
        { webhookId: other.body.id, webhookToken: other.body.token },
        { data: { email: 'other@example.com' } },
        { 'idempotency-key': key },
      );
      expect(otherHook.status).toBe(201);
      expect(otherHook.body.id).not.toBe(hooked.body.id);
      expect(await entriesOf(pool.poolId)).toBe(3);
      await stillServingAndPublishing();
    });
  });
});
