import 'reflect-metadata';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Subscription } from 'nats';
import { DataSource } from 'typeorm';
import {
  COMMANDS,
  FORM_LIMITS,
  uuidv7,
  type CommandName,
  type FormsSubmitCommand,
  type FormsVerifyCommand,
  type PublicForm,
} from '@rocketlead/contracts';
import { loadIngressConfig } from '../src/config';
import { answerCommand as standIn, startIngress, type IngressUnderTest, type StandInAnswer } from './support';

type Inject = NestFastifyApplication['inject'];
type Reply = Awaited<ReturnType<Inject>>;

const FORM_TYPE = 'application/x-www-form-urlencoded';
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const PENDING_FORM = uuidv7();
const UNKNOWN_FORM = uuidv7();
const BOOKED_FORM = uuidv7();
const LIMIT = FORM_LIMITS.submissionsPerMinute;

type Answer = StandInAnswer;

// The public form routes with ingress in process and leads' side of the forms commands answered by a stand-in
// on the real NATS namespace (leads' own behaviour is covered by its tests and the e2e suite).
describe('public form routes (real Postgres and NATS; leads answered by a stand-in)', () => {
  let ingress: IngressUnderTest;
  let dataSource: DataSource;
  const submissions: FormsSubmitCommand[] = [];
  const verifications: FormsVerifyCommand[] = [];
  const subscriptions: Subscription[] = [];
  const connectCommands: [string, Record<string, unknown>][] = [];

  const answerCommand = (command: CommandName, answer: (payload: never) => Answer): void => {
    subscriptions.push(standIn(ingress, command, answer));
  };

  const request = (
    app: NestFastifyApplication,
    method: 'GET' | 'POST' | 'OPTIONS',
    url: string,
    options: { headers?: Record<string, string>; payload?: string; ip?: string } = {},
  ): Promise<Reply> =>
    app.inject({
      method,
      url,
      headers: options.headers ?? {},
      remoteAddress: options.ip ?? '127.0.0.1',
      ...(options.payload !== undefined ? { payload: options.payload } : {}),
    });

  const submit = (
    formId: string,
    values: Record<string, unknown> = { email: 'a@example.com' },
    ip = '127.0.0.1',
    app = ingress.app,
  ): Promise<Reply> =>
    request(app, 'POST', `/public/forms/${formId}`, {
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(values),
      ip,
    });

  const json = (reply: Reply): Record<string, unknown> => reply.json<Record<string, unknown>>();

  /** Moves every recorded hit of a form back in time, as if `seconds` had passed. */
  const age = async (formId: string, seconds: number): Promise<void> => {
    await dataSource.query(
      `UPDATE ingress.public_rate_limit_hits SET hit_at = hit_at - make_interval(secs => $2)
       WHERE scope = 'form' AND subject_id = $1`,
      [formId, seconds],
    );
  };

  const hitsOf = async (formId: string): Promise<number> => {
    const [row] = (await dataSource.query(
      `SELECT count(*)::int AS n FROM ingress.public_rate_limit_hits WHERE scope = 'form' AND subject_id = $1`,
      [formId],
    )) as { n: number }[];
    return row?.n ?? 0;
  };

  beforeAll(async () => {
    ingress = await startIngress('ingressforms', []);
    dataSource = ingress.app.get(DataSource);
    answerCommand(COMMANDS.formsSubmit, (payload: FormsSubmitCommand) => {
      submissions.push(payload);
      if (payload.formId === UNKNOWN_FORM) return { error: 'NOT_FOUND', message: 'Form not found' };
      if (payload.formId === BOOKED_FORM) return { error: 'CONFLICT', message: 'The slot is taken' };
      if (payload.formId === PENDING_FORM) return { result: { status: 'pending_verification' } };
      return { result: { status: 'accepted', entryId: uuidv7() } };
    });
    answerCommand(COMMANDS.formsPublicGet, (payload: { id: string }): Answer => {
      if (payload.id === UNKNOWN_FORM) return { error: 'NOT_FOUND', message: 'Form not found' };
      const form: PublicForm = {
        id: payload.id,
        name: 'Newsletter',
        fields: [{ key: 'email', label: 'Email', type: 'email', required: true }],
      };
      return { result: form };
    });
    answerCommand(COMMANDS.formsVerify, (payload: FormsVerifyCommand): Answer => {
      verifications.push(payload);
      switch (payload.token) {
        case 'to-redirect':
          return { result: { formName: 'Newsletter', redirectUrl: 'https://example.com/thanks?x=1' } };
        case 'to-page':
          return { result: { formName: '<b>News & "Offers"</b>', redirectUrl: null } };
        case 'to-bad-url':
          return { result: { formName: 'Newsletter', redirectUrl: 'javascript:alert(1)' } };
        case 'used':
          return { error: 'GONE', message: 'This verification link was already used or has expired' };
        default:
          return { error: 'NOT_FOUND', message: 'Verification link not found' };
      }
    });
    for (const command of [
      COMMANDS.formsCreate,
      COMMANDS.formsList,
      COMMANDS.formsGet,
      COMMANDS.formsUpdate,
      COMMANDS.formsDelete,
    ]) {
      answerCommand(command, (payload: Record<string, unknown>): Answer => {
        connectCommands.push([command, payload]);
        return { result: command === COMMANDS.formsList ? { items: [], nextCursor: null } : payload };
      });
    }
    await ingress.nc.flush();
  }, 180_000);

  afterAll(async () => {
    for (const subscription of subscriptions) subscription.unsubscribe();
    await ingress?.stop();
  }, 120_000);

  beforeEach(() => {
    submissions.length = 0;
    verifications.length = 0;
    connectCommands.length = 0;
  });

  describe('Connect API', () => {
    it('forwards the form routes with the organization, sending only the fields given (null included)', async () => {
      const { organizationId, token: admin } = await ingress.bootstrap('Forms Inc');
      const reader = (
        await ingress.call('POST', '/connect/api_tokens', admin, { name: 'reader', scopes: ['read'] })
      ).body.token as string;
      const tableId = uuidv7();
      const id = uuidv7();
      const fields = [{ key: 'email', label: 'Email', type: 'email', required: true }];

      const created = await ingress.call('POST', '/connect/forms', admin, {
        name: 'Newsletter',
        tableId,
        fields,
        redirectUrl: null,
      });
      expect(created.status).toBe(201);
      expect(await ingress.call('GET', '/connect/forms?limit=5&tableId=' + tableId, reader)).toEqual({
        status: 200,
        body: { items: [], nextCursor: null },
      });
      expect((await ingress.call('GET', `/connect/forms/${id}`, reader)).status).toBe(200);
      const patched = await ingress.call('PATCH', `/connect/forms/${id}`, admin, {
        doubleOptIn: false,
        webhookUrl: null,
      });
      expect(patched.status).toBe(200);
      const deleted = await ingress.call('DELETE', `/connect/forms/${id}`, admin);
      expect(deleted).toEqual({ status: 204, body: {} });

      expect(connectCommands).toEqual([
        [
          COMMANDS.formsCreate,
          {
            organizationId,
            name: 'Newsletter',
            tableId,
            fields,
            redirectUrl: null,
            traceparent: expect.any(String),
          },
        ],
        [COMMANDS.formsList, { organizationId, limit: 5, tableId }],
        [COMMANDS.formsGet, { organizationId, id }],
        [
          COMMANDS.formsUpdate,
          { organizationId, id, doubleOptIn: false, webhookUrl: null, traceparent: expect.any(String) },
        ],
        [COMMANDS.formsDelete, { organizationId, id }],
      ]);
    });

    it('needs a token, and the admin scope to change forms', async () => {
      const { token: admin } = await ingress.bootstrap('Scopes Inc');
      const reader = (
        await ingress.call('POST', '/connect/api_tokens', admin, { name: 'reader', scopes: ['read'] })
      ).body.token as string;
      const id = uuidv7();
      expect((await ingress.call('GET', '/connect/forms', undefined)).status).toBe(401);
      const body = {
        name: 'x',
        tableId: uuidv7(),
        fields: [{ key: 'email', label: 'Email', type: 'email' }],
      };
      for (const [method, url, payload] of [
        ['POST', '/connect/forms', body],
        ['PATCH', `/connect/forms/${id}`, { name: 'y' }],
        ['DELETE', `/connect/forms/${id}`, undefined],
      ] as const) {
        expect({ method, status: (await ingress.call(method, url, reader, payload)).status }).toEqual({
          method,
          status: 403,
        });
      }
      const invalid = await ingress.call('POST', '/connect/forms', admin, { ...body, fields: [], extra: 1 });
      expect(invalid.status).toBe(400);
      expect(connectCommands).toEqual([]);
    });
  });

  describe('submissions', () => {
    it('answers 201 for an applied submission and 202 for one waiting for confirmation', async () => {
      const formId = uuidv7();
      const accepted = await submit(formId, { email: 'a@example.com', age: 42, _hp: '' });
      expect(accepted.statusCode).toBe(201);
      expect(json(accepted)).toEqual({ status: 'accepted', entryId: expect.any(String) });
      expect(submissions).toEqual([
        {
          formId,
          values: { email: 'a@example.com', age: 42, _hp: '' },
          request: { correlationId: expect.any(String), traceparent: expect.any(String) },
        },
      ]);

      const pending = await submit(PENDING_FORM);
      expect(pending.statusCode).toBe(202);
      expect(json(pending)).toEqual({ status: 'pending_verification' });
    });

    it("passes leads' refusals on (404, 409) and refuses a malformed id or a body that is no object", async () => {
      expect(await submit(UNKNOWN_FORM)).toMatchObject({ statusCode: 404 });
      expect(json(await submit(BOOKED_FORM))).toMatchObject({
        statusCode: 409,
        message: 'The slot is taken',
      });
      const badId = await submit('not-a-form');
      expect(badId.statusCode).toBe(400);
      expect(json(badId).errors).toEqual([{ field: 'id', message: 'must be a UUID' }]);
      for (const payload of ['[1,2]', '"text"', 'null', '']) {
        const res = await request(ingress.app, 'POST', `/public/forms/${uuidv7()}`, {
          headers: { 'content-type': 'application/json' },
          payload,
        });
        expect({ payload, status: res.statusCode, errors: json(res).errors }).toEqual({
          payload,
          status: 400,
          errors: [{ field: '(body)', message: expect.stringContaining('must be an object') }],
        });
      }
      expect(submissions.map((s) => s.formId)).toEqual([UNKNOWN_FORM, BOOKED_FORM]);
    });
  });

  describe('body policy', () => {
    it('takes JSON and urlencoded bodies on the public submission route, urlencoded values as strings', async () => {
      const formId = uuidv7();
      const form = await request(ingress.app, 'POST', `/public/forms/${formId}`, {
        headers: { 'content-type': `${FORM_TYPE}; charset=utf-8` },
        payload: 'email=a%40example.com&age=42&newsletter=on&_hp=',
      });
      expect(form.statusCode).toBe(201);
      const merged = await request(ingress.app, 'POST', `/public/forms/${formId}`, {
        headers: { 'content-type': 'application/merge-patch+json' },
        payload: '{"email":"b@example.com","age":42}',
      });
      expect(merged.statusCode).toBe(201);
      expect(submissions.map((s) => s.values)).toEqual([
        { email: 'a@example.com', age: '42', newsletter: 'on', _hp: '' },
        { email: 'b@example.com', age: 42 },
      ]);
    });

    it('refuses other content types with a 400 naming Content-Type (with the CORS header)', async () => {
      for (const type of ['text/plain', 'multipart/form-data; boundary=x', 'application/xml']) {
        const res = await request(ingress.app, 'POST', `/public/forms/${uuidv7()}`, {
          headers: { 'content-type': type },
          payload: 'email=a@example.com',
        });
        expect({ type, status: res.statusCode, body: json(res) }).toEqual({
          type,
          status: 400,
          body: expect.objectContaining({
            field: 'Content-Type',
            message: `Content-Type must be application/json or ${FORM_TYPE}, got "${type}"`,
          }),
        });
        expect(res.headers['access-control-allow-origin']).toBe('*');
      }
      expect(submissions).toEqual([]);
    });

    it('keeps the form limits for urlencoded bodies and the JSON limits for JSON ones', async () => {
      const big = 'x'.repeat(70 * 1024);
      const form = await request(ingress.app, 'POST', `/public/forms/${uuidv7()}`, {
        headers: { 'content-type': FORM_TYPE },
        payload: `note=${big}`,
      });
      expect(form.statusCode).toBe(413);
      expect(json(form)).toMatchObject({ limit: 64 * 1024 });
      const tooManyFields = Array.from({ length: 101 }, (_, i) => `f${i}=v`).join('&');
      const many = await request(ingress.app, 'POST', `/public/forms/${uuidv7()}`, {
        headers: { 'content-type': FORM_TYPE },
        payload: tooManyFields,
      });
      expect(many.statusCode).toBe(400);
      // Over the form limit but within the JSON one (leads bounds each value).
      const values = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}`, big.slice(0, 4000)]));
      expect(JSON.stringify(values).length).toBeGreaterThan(64 * 1024);
      const jsonBody = await submit(uuidv7(), values);
      expect(jsonBody.statusCode).toBe(201);
      const hugeJson = await request(ingress.app, 'POST', `/public/forms/${uuidv7()}`, {
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ note: 'x'.repeat(1024 * 1024) }),
      });
      expect(hugeJson.statusCode).toBe(413);
      expect(json(hugeJson)).toMatchObject({ limit: 1024 * 1024 });
    });

    it('leaves the other routes as they were', async () => {
      const connect = await ingress.call('POST', '/connect/forms', 'rl_token', 'name=x', {
        'content-type': FORM_TYPE,
      });
      expect(connect).toMatchObject({
        status: 400,
        body: { field: 'Content-Type', message: `Content-Type must be application/json, got "${FORM_TYPE}"` },
      });
      const sms = await ingress.call('POST', '/public/sms/status', undefined, { Body: 'x' });
      expect(sms).toMatchObject({
        status: 400,
        body: { field: 'Content-Type', message: `Content-Type must be ${FORM_TYPE}, got "application/json"` },
      });
      const webhook = await ingress.call('POST', `/public/ingress_webhooks/${uuidv7()}`, undefined, 'a=b', {
        'content-type': FORM_TYPE,
      });
      expect(webhook.status).toBe(400);
      expect(webhook.body.field).toBe('Content-Type');
    });
  });

  describe('rate limit', () => {
    it(`allows ${LIMIT} submissions a minute per form and client IP, then 429 with Retry-After`, async () => {
      const formId = uuidv7();
      for (let i = 0; i < LIMIT; i += 1) expect((await submit(formId)).statusCode).toBe(201);
      const refused = await submit(formId);
      expect(refused.statusCode).toBe(429);
      expect(json(refused)).toMatchObject({
        statusCode: 429,
        error: 'Too Many Requests',
        retryAfter: expect.any(Number),
      });
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(json(refused).retryAfter).toBe(retryAfter);
      expect(refused.headers['access-control-allow-origin']).toBe('*');
      // Refused submissions reach no one and are not counted.
      expect(submissions).toHaveLength(LIMIT);
      expect(await hitsOf(formId)).toBe(LIMIT);

      // Another client IP, or another form from the same IP, has its own budget.
      expect((await submit(formId, undefined, '10.1.2.3')).statusCode).toBe(201);
      expect((await submit(formId, undefined, '2001:db8::7')).statusCode).toBe(201);
      expect((await submit(uuidv7())).statusCode).toBe(201);
    });

    it('slides: the 11th within any 60 s is refused, across a minute boundary too', async () => {
      const formId = uuidv7();
      for (let i = 0; i < 5; i += 1) expect((await submit(formId)).statusCode).toBe(201);
      await age(formId, 50);
      for (let i = 0; i < 5; i += 1) expect((await submit(formId)).statusCode).toBe(201);
      // Ten hits in the last 50 s, whatever minute of the clock they fell in: the oldest frees a slot in ~10 s.
      const refused = await submit(formId);
      expect(refused.statusCode).toBe(429);
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(9);
      expect(retryAfter).toBeLessThanOrEqual(11);

      // 11 s later the five oldest are out of the window (and deleted): five more fit, not six.
      await age(formId, 11);
      for (let i = 0; i < 5; i += 1) expect((await submit(formId)).statusCode).toBe(201);
      expect((await submit(formId)).statusCode).toBe(429);
      expect(await hitsOf(formId)).toBe(LIMIT);
    });

    it('admits exactly the limit of concurrent submissions, across two ingress replicas', async () => {
      const replica = await ingress.replica();
      try {
        const formId = uuidv7();
        const replies = await Promise.all(
          Array.from({ length: 2 * LIMIT }, (_, i) =>
            submit(formId, { email: `c${i}@example.com` }, '192.0.2.9', i % 2 ? replica : ingress.app),
          ),
        );
        const statuses = replies.map((reply) => reply.statusCode);
        expect(statuses.filter((status) => status === 201)).toHaveLength(LIMIT);
        expect(statuses.filter((status) => status === 429)).toHaveLength(LIMIT);
        expect(submissions.filter((s) => s.formId === formId)).toHaveLength(LIMIT);
      } finally {
        await replica.close();
      }
    });
    it('counts a proxied client by X-Forwarded-For only behind a trusted proxy (TRUST_PROXY)', async () => {
      const forwarded = (app: typeof ingress.app, formId: string, client: string): Promise<Reply> =>
        request(app, 'POST', `/public/forms/${formId}`, {
          headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
          payload: JSON.stringify({ email: 'p@example.com' }),
          ip: '127.0.0.1',
        });
      // Not trusted (the default): every client behind the proxy is the proxy, and a client cannot pick its address.
      const untrusted = uuidv7();
      for (let i = 0; i < LIMIT; i += 1)
        expect((await forwarded(ingress.app, untrusted, `198.51.100.${i}`)).statusCode).toBe(201);
      expect((await forwarded(ingress.app, untrusted, '198.51.100.99')).statusCode).toBe(429);

      const proxied = await ingress.replica({ TRUST_PROXY: '127.0.0.1/32' });
      try {
        const formId = uuidv7();
        for (let i = 0; i < LIMIT; i += 1)
          expect((await forwarded(proxied, formId, '198.51.100.7')).statusCode).toBe(201);
        expect((await forwarded(proxied, formId, '198.51.100.7')).statusCode).toBe(429);
        // Another visitor behind the same proxy has a limit of its own.
        expect((await forwarded(proxied, formId, '198.51.100.8')).statusCode).toBe(201);
      } finally {
        await proxied.close();
      }
    });

    it('refuses a TRUST_PROXY that is neither addresses nor a hop count, naming it', () => {
      expect(loadIngressConfig({ ...ingress.env, TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
      expect(loadIngressConfig({ ...ingress.env, TRUST_PROXY: '10.0.0.0/8, ::1' }).TRUST_PROXY).toBe(
        '10.0.0.0/8, ::1',
      );
      expect(() => loadIngressConfig({ ...ingress.env, TRUST_PROXY: 'loadbalancer' })).toThrow(/TRUST_PROXY/);
      expect(() => loadIngressConfig({ ...ingress.env, TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY/);
    });
  });

  describe('public definition and CORS', () => {
    it('answers the public definition (404 when unknown), for any origin and uncached', async () => {
      const formId = uuidv7();
      const res = await request(ingress.app, 'GET', `/public/forms/${formId}`, {
        headers: { origin: 'https://shop.example' },
      });
      expect(res.statusCode).toBe(200);
      expect(json(res)).toMatchObject({ id: formId, name: 'Newsletter' });
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();

      const unknown = await request(ingress.app, 'GET', `/public/forms/${UNKNOWN_FORM}`);
      expect(unknown.statusCode).toBe(404);
      expect(unknown.headers['access-control-allow-origin']).toBe('*');
      expect(unknown.headers['cache-control']).toBe('no-store');

      const posted = await submit(uuidv7());
      expect(posted.headers['access-control-allow-origin']).toBe('*');
      expect(posted.headers['cache-control']).toBe('no-store');
    });

    it('answers the preflight with 204 and the allowed methods and headers', async () => {
      const res = await request(ingress.app, 'OPTIONS', `/public/forms/${uuidv7()}`, {
        headers: {
          origin: 'https://shop.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
      expect(res.headers).toMatchObject({
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': 'content-type',
      });
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    });
  });

  describe('verification links', () => {
    const verify = (query: string, accept?: string): Promise<Reply> =>
      request(ingress.app, 'GET', `/public/forms/verify${query}`, {
        headers: accept ? { accept } : {},
      });

    it("redirects to the form's URL (302) or shows a confirmation page that escapes the form name", async () => {
      const redirected = await verify('?token=to-redirect', BROWSER_ACCEPT);
      expect(redirected.statusCode).toBe(302);
      expect(redirected.headers.location).toBe('https://example.com/thanks?x=1');
      expect(redirected.headers['cache-control']).toBe('no-store');
      expect(verifications).toEqual([
        {
          token: 'to-redirect',
          request: { correlationId: expect.any(String), traceparent: expect.any(String) },
        },
      ]);

      const page = await verify('?token=to-page&utm_source=mail', BROWSER_ACCEPT);
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.body).toContain(
        'Thank you \u2014 your submission to &lt;b&gt;News &amp; &quot;Offers&quot;&lt;/b&gt; is confirmed.',
      );
      expect(page.body).not.toContain('<b>');

      // Not an http(s) URL: the submission is applied all the same, so the page, not an error.
      const badUrl = await verify('?token=to-bad-url');
      expect(badUrl.statusCode).toBe(200);
      expect(badUrl.headers.location).toBeUndefined();
      expect(badUrl.body).toContain('your submission to Newsletter is confirmed');
    });

    it('answers refusals as a page to browsers and as JSON to programs', async () => {
      const cases: [string, number, string][] = [
        ['?token=used', 410, 'already used or has expired'],
        ['?token=nobody-knows', 404, 'not valid'],
        [`?token=${'x'.repeat(201)}`, 404, 'not valid'],
        ['', 400, 'incomplete'],
        ['?token=', 400, 'incomplete'],
      ];
      for (const [query, status, words] of cases) {
        const page = await verify(query, BROWSER_ACCEPT);
        expect({ query, status: page.statusCode, type: page.headers['content-type'] }).toEqual({
          query,
          status,
          type: 'text/html; charset=utf-8',
        });
        expect(page.body).toContain(words);
        expect(page.headers['cache-control']).toBe('no-store');

        for (const accept of [undefined, '*/*', 'application/json', 'text/html;q=0.5, application/json']) {
          const error = await verify(query, accept);
          expect({ query, accept, status: error.statusCode, type: error.headers['content-type'] }).toEqual({
            query,
            accept,
            status,
            type: 'application/json; charset=utf-8',
          });
          expect(json(error).statusCode).toBe(status);
          expect(error.headers['cache-control']).toBe('no-store');
        }
      }
      const missing = await verify('');
      expect(json(missing).errors).toEqual([{ field: 'token', message: 'token is required' }]);
      const twice = await verify('?token=a&token=b');
      expect(json(twice).errors).toEqual([{ field: 'token', message: 'token must be given once' }]);
      // Only well-formed tokens were asked about.
      expect(verifications.map((v) => v.token)).toEqual([
        ...Array<string>(5).fill('used'),
        ...Array<string>(5).fill('nobody-knows'),
      ]);
    });
  });
});
