import { once } from 'node:events';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { SMS_NOT_CONFIGURED_ERROR, SmsClient, type SmsSettings } from '../src/sms';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
const FROM = '+15005550006';
const CALLBACK = 'http://localhost:3000/public/sms/status';

// Destinations the fake API answers specially, like Twilio's magic test numbers.
const INVALID_TO = '+15005550001';
const BUSY_TO = '+15005550503';
const THROTTLED_TO = '+15005550429';
const BROKEN_TO = '+15005550500';
const SILENT_TO = '+15005550999';

interface SeenRequest {
  method: string | undefined;
  path: string | undefined;
  headers: IncomingMessage['headers'];
  rawBody: string;
  form: [string, string][];
}

function twilioError(res: ServerResponse, status: number, code: number, message: string, headers = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }));
}

/**
 * A Twilio-compatible Messages API on a loopback port that checks a request as Twilio does: the account's
 * path, Basic auth with that account's SID and token, a form body with To, From and Body (StatusCallback
 * optional, nothing unknown), and answers 201 with the message resource.
 */
class FakeTwilio {
  readonly requests: SeenRequest[] = [];
  connections = 0;
  prefix = '';
  private readonly server: Server;
  private readonly hanging = new Set<ServerResponse>();
  private counter = 0;

  constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', () => this.connections++);
  }

  async start(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const form = [...new URLSearchParams(rawBody)];
    this.requests.push({ method: req.method, path: req.url, headers: req.headers, rawBody, form });

    if (req.url !== `${this.prefix}/2010-04-01/Accounts/${SID}/Messages.json`)
      return twilioError(res, 404, 20404, 'The requested resource was not found');
    if (req.method !== 'POST') return twilioError(res, 405, 20004, 'Method not allowed');
    const expectedAuth = `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`;
    if (req.headers.authorization !== expectedAuth) return twilioError(res, 401, 20003, 'Authenticate');
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
      return twilioError(res, 400, 21609, 'Unsupported content type');
    const names = form.map(([name]) => name);
    if (new Set(names).size !== names.length) return twilioError(res, 400, 20001, 'Repeated parameter');
    const unknown = names.filter((name) => !['To', 'From', 'Body', 'StatusCallback'].includes(name));
    if (unknown.length > 0) return twilioError(res, 400, 20001, `Unknown parameters: ${unknown.join(', ')}`);
    const fields = Object.fromEntries(form);
    if (!fields.To) return twilioError(res, 400, 21604, "A 'To' phone number is required.");
    if (fields.From !== FROM) return twilioError(res, 400, 21606, "The 'From' phone number is not valid");
    if (!fields.Body) return twilioError(res, 400, 21602, 'Message body is required.');

    switch (fields.To) {
      case INVALID_TO:
        return twilioError(res, 400, 21211, `The 'To' number ${fields.To} is not a valid phone number.`);
      case BUSY_TO:
        return twilioError(res, 503, 20503, 'Service unavailable', { 'retry-after': '7' });
      case THROTTLED_TO:
        return twilioError(res, 429, 20429, 'Too Many Requests', { 'retry-after': '2' });
      case BROKEN_TO:
        return twilioError(res, 500, 20500, 'Internal Server Error');
      case SILENT_TO:
        this.hanging.add(res);
        return;
    }
    const sid = `SM${(++this.counter).toString(16).padStart(32, '0')}`;
    const now = new Date().toUTCString();
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        sid,
        status: 'queued',
        account_sid: SID,
        api_version: '2010-04-01',
        body: fields.Body,
        date_created: now,
        date_sent: null,
        date_updated: now,
        direction: 'outbound-api',
        error_code: null,
        error_message: null,
        from: fields.From,
        messaging_service_sid: null,
        num_media: '0',
        num_segments: '1',
        price: null,
        price_unit: 'USD',
        to: fields.To,
        uri: `/2010-04-01/Accounts/${SID}/Messages/${sid}.json`,
        subresource_uris: {
          media: `/2010-04-01/Accounts/${SID}/Messages/${sid}/Media.json`,
          feedback: `/2010-04-01/Accounts/${SID}/Messages/${sid}/Feedback.json`,
        },
        // Real answers run to 1–2 KiB; this keeps this one past the 1 KiB kept of it.
        padding: 'x'.repeat(1024),
      }),
    );
  }
}

/** A loopback port nobody listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createNetServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('SmsClient against a Twilio-compatible API', () => {
  const twilio = new FakeTwilio();
  let apiUrl: string;
  const clients: SmsClient[] = [];
  const client = (overrides: Partial<SmsSettings> = {}, options?: { timeoutMs?: number }): SmsClient => {
    const settings = { apiUrl, accountSid: SID, authToken: TOKEN, from: FROM, statusCallbackUrl: CALLBACK };
    const created = new SmsClient({ ...settings, ...overrides }, options);
    clients.push(created);
    return created;
  };

  beforeAll(async () => {
    apiUrl = await twilio.start();
  });

  afterEach(async () => {
    twilio.prefix = '';
    await Promise.all(clients.splice(0).map((created) => created.close()));
  });

  afterAll(async () => {
    await twilio.stop();
  });

  it('posts To, From, Body and StatusCallback as a form with Basic auth, and reads the message SID', async () => {
    const body = 'Hi Ada — your quote: 1 200 € & more = 100% +fun?';
    const result = await client().send('+14155552671', body);

    expect(result).toEqual({
      ok: true,
      permanent: false,
      status: 201,
      messageSid: expect.stringMatching(/^SM[0-9a-f]{32}$/),
      responseBody: expect.any(String),
      error: null,
      durationMs: expect.any(Number),
      retryAfterMs: null,
    });
    // Only the first 1 KiB of the answer is kept; the SID came from the whole of it.
    expect(Buffer.byteLength(result.responseBody!)).toBe(1024);
    expect(result.responseBody!.startsWith(`{"sid":"${result.messageSid}","status":"queued"`)).toBe(true);

    const seen = twilio.requests.at(-1)!;
    expect(seen.method).toBe('POST');
    expect(seen.path).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(seen.headers.authorization).toBe(`Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`);
    expect(seen.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(seen.form).toEqual([
      ['To', '+14155552671'],
      ['From', FROM],
      ['Body', body],
      ['StatusCallback', CALLBACK],
    ]);
    // '+' must travel encoded, or it would be read back as a space.
    expect(seen.rawBody).toContain('To=%2B14155552671');
  });

  it('leaves StatusCallback out when there is none', async () => {
    expect((await client({ statusCallbackUrl: null }).send('+14155552671', 'Hello')).ok).toBe(true);
    expect(twilio.requests.at(-1)!.form.map(([name]) => name)).toEqual(['To', 'From', 'Body']);
  });

  it('keeps the API URL’s path prefix', async () => {
    twilio.prefix = '/twilio-proxy';
    const result = await client({ apiUrl: `${apiUrl}/twilio-proxy/` }).send('+14155552671', 'Hello');
    expect(result.ok).toBe(true);
    expect(twilio.requests.at(-1)!.path).toBe(`/twilio-proxy/2010-04-01/Accounts/${SID}/Messages.json`);
  });

  it('reuses keep-alive connections for messages sent one after the other', async () => {
    const sender = client();
    const before = twilio.connections;
    for (let i = 0; i < 10; i++) expect((await sender.send('+14155552671', `Message ${i}`)).ok).toBe(true);
    // undici's pool may open a second connection while the first is still being released after an answer.
    expect(twilio.connections - before).toBeLessThanOrEqual(2);
  });

  it('reports a 400 as permanent, with Twilio’s error', async () => {
    const result = await client().send(INVALID_TO, 'Hello');
    expect(result).toMatchObject({
      ok: false,
      permanent: true,
      status: 400,
      messageSid: null,
      error: `HTTP 400: Twilio error 21211: The 'To' number ${INVALID_TO} is not a valid phone number.`,
      retryAfterMs: null,
    });
    expect(JSON.parse(result.responseBody!)).toMatchObject({ code: 21211, status: 400 });
  });

  it('reports a 503 with Retry-After as temporary, with the wait', async () => {
    const result = await client().send(BUSY_TO, 'Hello');
    expect(result).toMatchObject({ ok: false, permanent: false, status: 503, retryAfterMs: 7000 });
    expect(result.error).toBe('HTTP 503: Twilio error 20503: Service unavailable');
  });

  it('reports a 429 as temporary, with the wait', async () => {
    const result = await client().send(THROTTLED_TO, 'Hello');
    expect(result).toMatchObject({ ok: false, permanent: false, status: 429, retryAfterMs: 2000 });
  });

  it('reports a 500 as temporary', async () => {
    expect(await client().send(BROKEN_TO, 'Hello')).toMatchObject({
      ok: false,
      permanent: false,
      status: 500,
      retryAfterMs: null,
    });
  });

  it('reports refused credentials (401) as temporary: the operator can fix them', async () => {
    const result = await client({ authToken: 'wrong' }).send('+14155552671', 'Hello');
    expect(result).toMatchObject({ ok: false, permanent: false, status: 401 });
    expect(result.error).toBe('HTTP 401: Twilio error 20003: Authenticate');
  });

  it('gives up on an API that does not answer, as temporary', async () => {
    const result = await client({}, { timeoutMs: 300 }).send(SILENT_TO, 'Hello');
    expect(result).toMatchObject({
      ok: false,
      permanent: false,
      status: null,
      error: 'timeout after 300 ms',
    });
    expect(result.durationMs).toBeLessThan(5000);
  });

  it('reports an API that is down as temporary', async () => {
    const result = await client({ apiUrl: `http://127.0.0.1:${await closedPort()}` }).send(
      '+14155552671',
      'Hello',
    );
    expect(result).toMatchObject({ ok: false, permanent: false, status: null, error: 'connection refused' });
  });

  it('refuses a destination that is not E.164 without calling the API', async () => {
    const before = twilio.requests.length;
    const result = await client().send('(415) 555-2671', 'Hello');
    expect(result).toMatchObject({ ok: false, permanent: true, status: null });
    expect(result.error).toBe('"(415) 555-2671" is not an E.164 phone number');
    expect(twilio.requests.length).toBe(before);
  });

  it('fails permanently, without a request, when not configured', async () => {
    for (const missing of ['accountSid', 'authToken', 'from'] as const) {
      const unconfigured = client({ [missing]: '' });
      expect(unconfigured.configured).toBe(false);
      expect(await unconfigured.send('+14155552671', 'Hello')).toEqual({
        ok: false,
        permanent: true,
        status: null,
        messageSid: null,
        responseBody: null,
        error: SMS_NOT_CONFIGURED_ERROR,
        durationMs: expect.any(Number),
        retryAfterMs: null,
      });
    }
    expect(SMS_NOT_CONFIGURED_ERROR).toBe(
      'SMS is not configured (SMS_ACCOUNT_SID, SMS_AUTH_TOKEN and SMS_FROM)',
    );
    expect(client().configured).toBe(true);
  });

  it('refuses to send after close', async () => {
    const sender = client();
    await sender.close();
    expect(await sender.send('+14155552671', 'Hello')).toMatchObject({
      ok: false,
      error: 'SMS client closed',
    });
  });
});
