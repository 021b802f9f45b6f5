import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { withContext } from '@rocketlead/testing';
import { startIngress, type IngressUnderTest, type Res } from './support';

// Endpoints point at a loopback port nothing listens on, and subscribe to nothing unless a test says so:
// whatever delivery might try to send never leaves this machine.
const HOOK_URL = 'http://127.0.0.1:9/hooks/rocketlead';
const UNKNOWN_ID = '0190f1e2-0000-7000-8000-000000000000';
const FORM = 'application/x-www-form-urlencoded';

// The delivery routes (/connect/webhook_endpoints, /connect/deliveries, a lead's deliveries, the public email
// links and SMS callbacks): ingress in-process, leads and delivery as real processes.
describe('ingress delivery routes (real Postgres and NATS; leads and delivery as processes)', () => {
  let ingress: IngressUnderTest;
  let admin: string;
  let writer: string;
  let reader: string;
  let stranger: string;
  const call: IngressUnderTest['call'] = (...args) => ingress.call(...args);

  // Each field once (a field failing several rules is listed once per rule).
  const fields = (res: Res): string[] => [
    ...new Set(((res.body.errors ?? []) as { field: string }[]).map((e) => e.field)),
  ];

  async function token(scopes: string[]): Promise<string> {
    const res = await call('POST', '/connect/api_tokens', admin, { name: scopes.join('+'), scopes });
    return res.body.token as string;
  }

  async function endpoint(as = admin, body: Record<string, unknown> = {}): Promise<Res> {
    const res = await call('POST', '/connect/webhook_endpoints', as, { url: HOOK_URL, ...body });
    expect(res.status).toBe(201);
    return res;
  }

  /** A request whose answer may not be JSON (the public routes). */
  const raw = (
    method: 'GET' | 'POST',
    url: string,
    headers: Record<string, string> = {},
    payload?: string,
  ): ReturnType<IngressUnderTest['app']['inject']> =>
    ingress.app.inject({ method, url, headers, ...(payload !== undefined ? { payload } : {}) });

  beforeAll(async () => {
    ingress = await startIngress('ingressdelivery', ['leads', 'delivery']);
    admin = (await ingress.bootstrap('Acme')).token;
    stranger = (await ingress.bootstrap('Other')).token;
    writer = await token(['write']);
    reader = await token(['read']);
  }, 180_000);

  afterAll(() => ingress?.stop(), 120_000);

  it('answers 401 without a token and 403 to read and write tokens on admin routes', async () => {
    expect((await call('GET', '/connect/webhook_endpoints', undefined)).status).toBe(401);
    expect((await call('POST', '/connect/webhook_endpoints', undefined, { url: HOOK_URL })).status).toBe(401);
    expect((await call('GET', `/connect/table_entries/${UNKNOWN_ID}/deliveries`, undefined)).status).toBe(
      401,
    );
    expect((await call('POST', `/connect/deliveries/${UNKNOWN_ID}/resend`, undefined)).status).toBe(401);

    const id = (await endpoint()).body.id as string;
    const adminRoutes: [string, string, unknown][] = [
      ['POST', '/connect/webhook_endpoints', { url: HOOK_URL }],
      ['PATCH', `/connect/webhook_endpoints/${id}`, { description: 'x' }],
      ['DELETE', `/connect/webhook_endpoints/${id}`, undefined],
      ['POST', `/connect/webhook_endpoints/${id}/rotate_secret`, undefined],
      ['POST', `/connect/webhook_endpoints/${id}/test`, undefined],
      ['POST', `/connect/deliveries/${UNKNOWN_ID}/resend`, undefined],
    ];
    for (const [method, url, body] of adminRoutes) {
      for (const weaker of [reader, writer]) {
        const res = await call(method, url, weaker, body);
        withContext(`${method} ${url}`, () =>
          expect(res).toMatchObject({
            status: 403,
            body: { message: 'This API token lacks the admin scope', requiredScope: 'admin' },
          }),
        );
      }
    }
    expect((await call('GET', '/connect/webhook_endpoints', reader)).status).toBe(200);
    expect((await call('GET', `/connect/webhook_endpoints/${id}`, reader)).status).toBe(200);
    expect((await call('GET', `/connect/webhook_endpoints/${id}/attempts`, writer)).status).toBe(200);
  });

  it('creates (201, with the secret once), reads, lists, changes and deletes (204) an endpoint', async () => {
    const created = await call('POST', '/connect/webhook_endpoints', admin, {
      url: HOOK_URL,
      description: 'CRM',
    });
    expect(created).toMatchObject({
      status: 201,
      body: {
        id: expect.any(String),
        url: HOOK_URL,
        format: expect.any(String),
        eventTypes: [],
        description: 'CRM',
        timeoutMs: 10_000,
        enabled: true,
        disabledReason: null,
        secret: expect.stringMatching(/^whsec_/),
      },
    });
    const { secret, ...shown } = created.body;
    expect(secret).toEqual(expect.any(String));
    const id = shown.id as string;
    const url = `/connect/webhook_endpoints/${id}`;

    expect(await call('GET', url, reader)).toEqual({ status: 200, body: shown });
    const listed = await call('GET', '/connect/webhook_endpoints?limit=100', reader);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toContainEqual(shown);

    const patched = await call('PATCH', url, admin, {
      description: null,
      timeoutMs: 5000,
      eventTypes: ['calendar.appointment.*'],
      enabled: false,
    });
    expect(patched).toMatchObject({
      status: 200,
      body: {
        id,
        url: HOOK_URL,
        description: null,
        timeoutMs: 5000,
        eventTypes: ['calendar.appointment.*'],
        enabled: false,
      },
    });
    expect(patched.body).not.toHaveProperty('secret');
    expect(await call('GET', url, reader)).toEqual({ status: 200, body: patched.body });

    expect(await call('DELETE', url, admin)).toEqual({ status: 204, body: {} });
    expect(await call('GET', url, reader)).toMatchObject({
      status: 404,
      body: { statusCode: 404, error: 'Not Found' },
    });
    expect((await call('DELETE', url, admin)).status).toBe(404);
    const after = await call('GET', '/connect/webhook_endpoints?limit=100', reader);
    expect((after.body.items as { id: string }[]).map((e) => e.id)).not.toContain(id);
  });

  it("never shows another organization's endpoint (404)", async () => {
    const id = (await endpoint()).body.id as string;
    const url = `/connect/webhook_endpoints/${id}`;
    const theirs: [string, string, unknown][] = [
      ['GET', url, undefined],
      ['PATCH', url, { description: 'mine now' }],
      ['DELETE', url, undefined],
      ['POST', `${url}/rotate_secret`, undefined],
      ['GET', `${url}/attempts`, undefined],
      ['POST', `${url}/test`, undefined],
    ];
    for (const [method, path, body] of theirs) {
      const res = await call(method, path, stranger, body);
      withContext(`${method} ${path}`, () =>
        expect(res).toMatchObject({ status: 404, body: { statusCode: 404, error: 'Not Found' } }),
      );
    }
    const listed = await call('GET', '/connect/webhook_endpoints?limit=100', stranger);
    expect((listed.body.items as { id: string }[]).map((e) => e.id)).not.toContain(id);
    expect(await call('GET', url, admin)).toMatchObject({ status: 200, body: { id, description: null } });
  });

  it('answers 400 Validation failed naming each field of a bad body or query', async () => {
    const cases: [string, Record<string, unknown>, string[]][] = [
      ['ftp URL', { url: 'ftp://x' }, ['url']],
      ['not a URL', { url: 'not a url' }, ['url']],
      ['no URL', {}, ['url']],
      ['timeout over 30 s', { url: HOOK_URL, timeoutMs: 30_001 }, ['timeoutMs']],
      ['timeout not an integer', { url: HOOK_URL, timeoutMs: 'soon' }, ['timeoutMs']],
      ['unknown format', { url: HOOK_URL, format: 'xml' }, ['format']],
      ['bad event type', { url: HOOK_URL, eventTypes: ['no spaces allowed'] }, ['eventTypes']],
      ['unknown field', { url: HOOK_URL, colour: 'red' }, ['colour']],
    ];
    for (const [name, body, expected] of cases) {
      const res = await call('POST', '/connect/webhook_endpoints', admin, body);
      withContext(name, () => {
        expect(res).toMatchObject({
          status: 400,
          body: { statusCode: 400, error: 'Bad Request', message: 'Validation failed' },
        });
        expect(fields(res).sort()).toEqual([...expected].sort());
      });
    }
    const id = (await endpoint()).body.id as string;
    const url = `/connect/webhook_endpoints/${id}`;
    expect(fields(await call('PATCH', url, admin, { url: 'ftp://x' }))).toEqual(['url']);
    expect(fields(await call('PATCH', url, admin, { timeoutMs: 30_001 }))).toEqual(['timeoutMs']);

    for (const path of ['/connect/webhook_endpoints', `${url}/attempts`]) {
      for (const [query, field] of [
        ['limit=0', 'limit'],
        ['limit=101', 'limit'],
        ['limit=ten', 'limit'],
        ['colour=red', 'colour'],
      ] as const) {
        const res = await call('GET', `${path}?${query}`, reader);
        withContext(`${path}?${query}`, () => {
          expect(res).toMatchObject({ status: 400, body: { message: 'Validation failed' } });
          expect(fields(res)).toEqual([field]);
        });
      }
    }
    // A path id that is not a UUID is refused by ingress, naming it, as on every other Connect route.
    for (const [method, path] of [
      ['GET', '/connect/webhook_endpoints/nope'],
      ['DELETE', '/connect/webhook_endpoints/nope'],
      ['GET', '/connect/webhook_endpoints/nope/attempts'],
      ['POST', '/connect/deliveries/nope/resend'],
      ['GET', '/connect/table_entries/nope/deliveries'],
    ] as const) {
      const res = await call(method, path, admin);
      withContext(`${method} ${path}`, () => {
        expect(res.status).toBe(400);
        expect(fields(res)).toEqual(['id']);
      });
    }
  });

  it('pages through the endpoints of an organization', async () => {
    const own = (await ingress.bootstrap('Pager')).token;
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1)
      ids.push((await endpoint(own, { description: `e${i}` })).body.id as string);
    const seen: string[] = [];
    let url = '/connect/webhook_endpoints?limit=1';
    for (let pages = 0; pages < 10; pages += 1) {
      const res = await call('GET', url, own);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['items', 'nextCursor']);
      expect((res.body.items as unknown[]).length).toBeLessThanOrEqual(1);
      seen.push(...(res.body.items as { id: string }[]).map((e) => e.id));
      if (res.body.nextCursor === null) break;
      url = `/connect/webhook_endpoints?limit=1&cursor=${encodeURIComponent(res.body.nextCursor as string)}`;
    }
    expect([...seen].sort()).toEqual([...ids].sort());
    const all = await call('GET', '/connect/webhook_endpoints', own);
    expect(all).toMatchObject({ status: 200, body: { nextCursor: null } });
    expect((all.body.items as { id: string }[]).map((e) => e.id).sort()).toEqual([...ids].sort());
  });

  it('rotates the secret (200) and shows the attempt log a page at a time', async () => {
    const created = await endpoint();
    const id = created.body.id as string;
    const rotated = await call('POST', `/connect/webhook_endpoints/${id}/rotate_secret`, admin);
    expect(rotated).toEqual({ status: 200, body: { secret: expect.stringMatching(/^whsec_/) } });
    expect(rotated.body.secret).not.toBe(created.body.secret);
    const again = await call('POST', `/connect/webhook_endpoints/${id}/rotate_secret`, admin);
    expect(again.body.secret).not.toBe(rotated.body.secret);

    // Nothing was ever sent to it: an empty page.
    for (const query of ['', '?limit=1', '?limit=100']) {
      expect(await call('GET', `/connect/webhook_endpoints/${id}/attempts${query}`, reader)).toEqual({
        status: 200,
        body: { items: [], nextCursor: null },
      });
    }
    expect((await call('GET', `/connect/webhook_endpoints/${UNKNOWN_ID}/attempts`, reader)).status).toBe(404);
    expect((await call('POST', `/connect/webhook_endpoints/${UNKNOWN_ID}/test`, admin)).status).toBe(404);
    expect((await call('POST', `/connect/deliveries/${UNKNOWN_ID}/resend`, admin)).status).toBe(404);
  });

  it("lists a lead's deliveries once leads says the lead is the caller's (404 otherwise)", async () => {
    const poolId = (await call('POST', '/connect/lead_pools', admin, { name: 'Inbound' })).body.id as string;
    await call('POST', `/connect/lead_pools/${poolId}/lead_states`, admin, { name: 'New', isDefault: true });
    await call('PATCH', `/connect/lead_pools/${poolId}`, admin, { tableSchema: { email: 'string' } });
    const entry = await call('POST', '/connect/table_entries', writer, {
      tableId: poolId,
      data: { email: 'jo@example.com' },
    });
    expect(entry.status).toBe(201);
    const url = `/connect/table_entries/${entry.body.id as string}/deliveries`;

    expect(await call('GET', url, reader)).toEqual({ status: 200, body: { items: [], nextCursor: null } });
    expect(await call('GET', `${url}?limit=5`, writer)).toEqual({
      status: 200,
      body: { items: [], nextCursor: null },
    });
    expect(await call('GET', url, stranger)).toMatchObject({
      status: 404,
      body: { statusCode: 404, error: 'Not Found' },
    });
    expect((await call('GET', `/connect/table_entries/${UNKNOWN_ID}/deliveries`, reader)).status).toBe(404);
    expect(fields(await call('GET', `${url}?limit=101`, reader))).toEqual(['limit']);
  });

  it('answers the email links without a token: the pixel always, 404 for unknown click and unsubscribe tokens', async () => {
    for (const token of ['garbage', 'x'.repeat(300), 'y'.repeat(5000)]) {
      const pixel = await raw('GET', `/public/e/o/${token}`);
      withContext(`open ${token.length}`, () => {
        expect(pixel.statusCode).toBe(200);
        expect(pixel.headers['content-type']).toBe('image/gif');
        expect(pixel.headers['cache-control']).toBe('no-store');
        expect(pixel.rawPayload.subarray(0, 6).toString('latin1')).toBe('GIF89a');
        expect(pixel.rawPayload.length).toBe(43);
      });
    }
    const notFound = { statusCode: 404, error: 'Not Found' };
    for (const token of ['garbage', 'z'.repeat(4097)]) {
      for (const [method, path] of [
        ['GET', `/public/e/c/${token}`],
        ['GET', `/public/e/u/${token}`],
      ] as const) {
        const res = await raw(method, path);
        withContext(`${method} ${path.slice(0, 40)}`, () => {
          expect(res.statusCode).toBe(404);
          expect(res.headers['content-type']).toMatch(/^application\/json/);
          expect(res.json()).toMatchObject(notFound);
        });
      }
      // RFC 8058 one-click unsubscribe: a form POST.
      const oneClick = await raw(
        'POST',
        `/public/e/u/${token}`,
        { 'content-type': FORM },
        'List-Unsubscribe=One-Click',
      );
      expect(oneClick.statusCode).toBe(404);
      expect(oneClick.json()).toMatchObject(notFound);
    }
  });

  it('refuses SMS callbacks without a valid X-Twilio-Signature (403), and bodies that are no small form', async () => {
    const form = 'MessageSid=SM123&MessageStatus=delivered&To=%2B15005550006';
    for (const kind of ['status', 'inbound']) {
      const path = `/public/sms/${kind}`;
      const unsigned = await raw('POST', path, { 'content-type': FORM }, form);
      withContext(`${kind} unsigned`, () => {
        expect(unsigned.statusCode).toBe(403);
        expect(unsigned.json()).toMatchObject({ statusCode: 403, error: 'Forbidden' });
      });
      const forged = await raw(
        'POST',
        path,
        { 'content-type': FORM, 'x-twilio-signature': 'bm90IGEgc2lnbmF0dXJl' },
        form,
      );
      withContext(`${kind} forged`, () => {
        expect(forged.statusCode).toBe(403);
        expect(forged.json()).toMatchObject({ statusCode: 403, error: 'Forbidden' });
      });
    }
    const json = await raw(
      'POST',
      '/public/sms/status',
      { 'content-type': 'application/json', 'x-twilio-signature': 'x' },
      '{}',
    );
    expect(json.statusCode).toBe(400);
    expect(json.json()).toMatchObject({ field: 'Content-Type' });
    const big = await raw(
      'POST',
      '/public/sms/inbound',
      { 'content-type': FORM, 'x-twilio-signature': 'x' },
      `Body=${'x'.repeat(64 * 1024)}`,
    );
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ statusCode: 413, limit: 64 * 1024 });
    const many = await raw(
      'POST',
      '/public/sms/inbound',
      { 'content-type': FORM, 'x-twilio-signature': 'x' },
      Array.from({ length: 101 }, (_, i) => `f${i}=v`).join('&'),
    );
    expect(many.statusCode).toBe(400);
    // Every other route stays JSON-only.
    const elsewhere = await raw(
      'POST',
      '/connect/webhook_endpoints',
      { authorization: `Bearer ${admin}`, 'content-type': FORM },
      `url=${encodeURIComponent(HOOK_URL)}`,
    );
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.json()).toMatchObject({ field: 'Content-Type' });
  });
});
