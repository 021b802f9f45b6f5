// The outbound HTTP sender against HTTP(S) servers this test binds on loopback addresses: no traffic
// goes anywhere else (host names are resolved by injected lookups, or are `localhost`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { eventually } from '@rocketlead/testing';
import {
  DestinationGuard,
  formWebhookBody,
  generateWebhookSecret,
  HttpSender,
  parseCidrs,
  standardWebhookHeaders,
  type HostLookup,
  type OutboundResult,
} from '../src/outbound';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  servername: string | null;
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

interface TestServer {
  /** `http://127.0.0.1:port` (or the server's own address and scheme). */
  origin: string;
  port: number;
  received: Received[];
  /** TCP connections the server accepted. */
  connections: number;
  close(): Promise<void>;
}

const servers: TestServer[] = [];
const senders: HttpSender[] = [];

async function serve(server: Server, handler: Handler, host: string, scheme: string): Promise<TestServer> {
  const state: TestServer = {
    origin: '',
    port: 0,
    received: [],
    connections: 0,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  server.on('connection', () => state.connections++);
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const socket = request.socket as Partial<TLSSocket>;
      state.received.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        servername: typeof socket.servername === 'string' ? socket.servername : null,
      });
      handler(request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  state.port = address.port;
  state.origin = `${scheme}://${host}:${address.port}`;
  servers.push(state);
  return state;
}

function startServer(handler: Handler, host = '127.0.0.1'): Promise<TestServer> {
  return serve(createHttpServer(), handler, host, 'http');
}

function answer(status: number, body = '', headers: Record<string, string> = {}): Handler {
  return (_request, response) => {
    response.writeHead(status, headers);
    response.end(body);
  };
}

function sender(allowed = '127.0.0.1/32', lookup?: HostLookup, addressCacheMs?: number): HttpSender {
  const created = new HttpSender(new DestinationGuard(parseCidrs(allowed), lookup), {
    connectionsPerOrigin: 4,
    addressCacheMs,
  });
  senders.push(created);
  return created;
}

/** Every `*.test` name is 127.0.0.1: .test never resolves in public DNS, so only this lookup can answer. */
const testLookup =
  (calls: string[] = []): HostLookup =>
  (host) => {
    calls.push(host);
    return host.endsWith('.test')
      ? Promise.resolve([{ address: '127.0.0.1', family: 4 }])
      : Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }));
  };

const post = (to: HttpSender, url: string, timeoutMs = 5_000, body = '{}'): Promise<OutboundResult> =>
  to.send({ url, headers: { 'content-type': 'application/json' }, body, timeoutMs });

const refusal: Partial<OutboundResult> = {
  status: null,
  ok: false,
  responseBody: null,
  error: 'destination not allowed',
  retryAfterMs: null,
  refused: true,
};

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

afterAll(async () => {
  await Promise.all(senders.splice(0).map((created) => created.close()));
});

describe('HttpSender', () => {
  it('POSTs the exact headers and body, and the receiver verifies the signature', async () => {
    const server = await startServer(answer(200, 'thanks'));
    const secret = generateWebhookSecret();
    const body = JSON.stringify({ type: 'table.entry.added', data: { name: 'Zoë' } });
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = standardWebhookHeaders('delivery-1', timestamp, body, [secret]);

    const result = await sender().send({
      url: `${server.origin}/hooks/in?source=rl#fragment`,
      headers,
      body,
      timeoutMs: 5_000,
    });

    expect(result).toEqual({
      status: 200,
      ok: true,
      durationMs: expect.any(Number),
      responseBody: 'thanks',
      error: null,
      retryAfterMs: null,
      refused: false,
    });
    expect(server.received).toHaveLength(1);
    const [received] = server.received;
    expect(received!.method).toBe('POST');
    expect(received!.url).toBe('/hooks/in?source=rl');
    expect(received!.body).toBe(body);
    expect(received!.headers).toEqual({
      host: `127.0.0.1:${server.port}`,
      connection: 'keep-alive',
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'RocketLead-Webhooks/1.0',
      'webhook-id': 'delivery-1',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': headers['webhook-signature'],
    });
    expect(new Webhook(secret).verify(received!.body, received!.headers as Record<string, string>)).toEqual(
      JSON.parse(body),
    );
  });

  it('sends a form webhook as application/x-www-form-urlencoded', async () => {
    const server = await startServer(answer(204));
    const body = formWebhookBody(
      {
        id: 'e1',
        tableId: 't1',
        leadStateId: null,
        createdAt: '2025-03-01T10:00:00.000Z',
        data: { tags: ['a', 'b'] },
      },
      null,
      'deliveryall',
      new Date('2025-03-07T08:05:09Z'),
    );
    const result = await sender().send({
      url: `${server.origin}/form`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'User-Agent': 'spoofed' },
      body,
      timeoutMs: 5_000,
    });
    expect(result).toMatchObject({ status: 204, ok: true, responseBody: '', error: null });
    const [received] = server.received;
    expect(received!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(received!.headers['user-agent']).toBe('RocketLead-Webhooks/1.0');
    const form = new URLSearchParams(received!.body);
    expect(form.get('eventtype')).toBe('deliveryall');
    expect(form.get('eventdatetime')).toBe('2025-03-07 08:05:09');
    expect(form.getAll('tags')).toEqual(['a', 'b']);
  });

  it('sends the credentials of the URL as basic authentication', async () => {
    const server = await startServer(answer(200));
    await post(sender(), `http://hook%40user:p%3Ass@127.0.0.1:${server.port}/`);
    expect(server.received[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('hook@user:p:ss').toString('base64')}`,
    );
  });

  it('reuses one keep-alive connection for sequential requests', async () => {
    const server = await startServer(answer(200, 'ok'));
    const client = sender();
    for (let index = 0; index < 5; index++) {
      expect(await post(client, `${server.origin}/n/${index}`)).toMatchObject({ ok: true });
    }
    expect(server.received).toHaveLength(5);
    expect(server.connections).toBe(1);
  });

  it('keeps concurrent requests to one origin within the pool size', async () => {
    const server = await startServer(answer(200, 'ok'));
    const client = sender();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, index) => post(client, `${server.origin}/${index}`)),
    );
    expect(results.every((result) => result.ok)).toBe(true);
    expect(server.received).toHaveLength(40);
    expect(server.connections).toBeLessThanOrEqual(4);
  });

  it.each([301, 302, 303, 307, 308])('takes %i as success and does not follow it', async (status) => {
    const target = await startServer(answer(200));
    const redirecting = await startServer(
      answer(status, 'moved', { location: `${target.origin}/elsewhere` }),
    );
    const result = await post(sender(), `${redirecting.origin}/hook`);
    expect(result).toMatchObject({ status, ok: true, responseBody: 'moved', error: null, refused: false });
    expect(redirecting.received).toHaveLength(1);
    expect(target.received).toHaveLength(0);
    expect(target.connections).toBe(0);
  });

  it.each([400, 401, 404, 410, 422, 500, 502])('fails on %i, keeping the answer', async (status) => {
    const server = await startServer(answer(status, `{"error":"status ${status}"}`));
    expect(await post(sender(), server.origin)).toEqual({
      status,
      ok: false,
      durationMs: expect.any(Number),
      responseBody: `{"error":"status ${status}"}`,
      error: `HTTP ${status}`,
      retryAfterMs: null,
      refused: false,
    });
  });

  it('reads Retry-After on 429 and 503, as seconds or a date', async () => {
    const client = sender();
    const seconds = await startServer(answer(429, '', { 'retry-after': '30' }));
    expect(await post(client, seconds.origin)).toMatchObject({
      status: 429,
      ok: false,
      retryAfterMs: 30_000,
    });

    const at = new Date(Date.now() + 120_000);
    const date = await startServer(answer(503, '', { 'retry-after': at.toUTCString() }));
    const result = await post(client, date.origin);
    expect(result).toMatchObject({ status: 503, error: 'HTTP 503' });
    expect(result.retryAfterMs).toBeGreaterThan(115_000);
    expect(result.retryAfterMs).toBeLessThanOrEqual(120_000);

    const other = await startServer(answer(500, '', { 'retry-after': '30' }));
    expect(await post(client, other.origin)).toMatchObject({ status: 500, retryAfterMs: null });
    const absent = await startServer(answer(429));
    expect(await post(client, absent.origin)).toMatchObject({ status: 429, retryAfterMs: null });
  });

  it('times out when the answer does not come', async () => {
    const server = await startServer(() => undefined);
    const result = await post(sender(), server.origin, 300);
    expect(result).toEqual({
      status: null,
      ok: false,
      durationMs: expect.any(Number),
      responseBody: null,
      error: 'timeout after 300 ms',
      retryAfterMs: null,
      refused: false,
    });
    expect(result.durationMs).toBeGreaterThanOrEqual(290);
    expect(result.durationMs).toBeLessThan(3_000);
  });

  it('times out when the body stalls after the headers', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-length': '100' });
      response.write('partial');
    });
    const result = await post(sender(), server.origin, 300);
    expect(result).toMatchObject({ status: null, ok: false, error: 'timeout after 300 ms', refused: false });
  });

  it('reports a refused connection', async () => {
    const closed = createNetServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    expect(await post(sender(), `http://127.0.0.1:${port}/`)).toEqual({
      status: null,
      ok: false,
      durationMs: expect.any(Number),
      responseBody: null,
      error: 'connection refused',
      retryAfterMs: null,
      refused: false,
    });
  });

  it('keeps the first KiB of the body and still reuses the connection', async () => {
    const text = 'é'.repeat(1000) + 'tail';
    const server = await startServer(answer(500, text));
    const client = sender();
    const result = await post(client, server.origin);
    expect(result.status).toBe(500);
    expect(Buffer.from(text).subarray(0, 1024).toString('utf8')).toBe(result.responseBody);
    expect(result.responseBody).toHaveLength(512);
    expect(await post(client, server.origin)).toMatchObject({ status: 500 });
    expect(server.connections).toBe(1);
  });

  it('does not wait for an endless body: it keeps 1 KiB and drops the connection', async () => {
    let written = 0;
    let closed = false;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.on('close', () => (closed = true));
      const pump = (): void => {
        while (!closed && response.write(chunk)) written += chunk.length;
      };
      response.on('drain', pump);
      pump();
    });
    const result = await post(sender(), server.origin, 10_000);
    expect(result).toMatchObject({ status: 200, ok: true, error: null });
    expect(result.responseBody).toBe('x'.repeat(1024));
    await eventually(() => closed, { message: 'the sender did not close the endless response' });
    expect(written).toBeLessThan(64 * 1024 * 1024);
  });

  it('returns a result after close instead of throwing', async () => {
    const client = new HttpSender(new DestinationGuard(parseCidrs('127.0.0.1/32')));
    await client.close();
    expect(await post(client, 'http://127.0.0.1:1/')).toMatchObject({ ok: false, error: 'sender closed' });
  });
});

describe('HttpSender destination guard', () => {
  it('refuses 127.0.0.2 when only 127.0.0.1/32 is allowed, without connecting', async () => {
    const allowed = await startServer(answer(200));
    const other = await startServer(answer(200), '127.0.0.2');
    const client = sender('127.0.0.1/32');

    expect(await post(client, allowed.origin)).toMatchObject({ status: 200, ok: true });
    expect(await post(client, other.origin)).toMatchObject(refusal);
    expect(await post(client, `http://2130706434:${other.port}/`)).toMatchObject(refusal);
    expect(await post(client, `http://[::ffff:127.0.0.2]:${other.port}/`)).toMatchObject(refusal);
    expect(other.connections).toBe(0);
    expect(other.received).toHaveLength(0);
  });

  it('refuses every spelling of loopback without an allow-list, without connecting', async () => {
    const server = await startServer(answer(200));
    const client = sender('');
    for (const url of [
      `http://127.0.0.1:${server.port}/`,
      `http://2130706433:${server.port}/`,
      `http://0x7f000001:${server.port}/`,
      `http://0x7f.1:${server.port}/`,
      `http://017700000001:${server.port}/`,
      `http://127.1:${server.port}/`,
      `http://[::ffff:127.0.0.1]:${server.port}/`,
      `http://[::ffff:7f00:1]:${server.port}/`,
      `http://localhost:${server.port}/`,
      `https://localhost:${server.port}/`,
    ]) {
      expect({ url, result: await post(client, url) }).toMatchObject({ url, result: refusal });
    }
    expect(server.connections).toBe(0);
  });

  it('connects every allowed spelling of 127.0.0.1 to 127.0.0.1', async () => {
    const server = await startServer(answer(200));
    const client = sender('127.0.0.1/32, ::1/128');
    for (const [url, host] of [
      [`http://2130706433:${server.port}/`, `127.0.0.1:${server.port}`],
      [`http://0x7f000001:${server.port}/`, `127.0.0.1:${server.port}`],
      [`http://[::ffff:127.0.0.1]:${server.port}/`, `[::ffff:7f00:1]:${server.port}`],
      [`http://localhost:${server.port}/`, `localhost:${server.port}`],
    ] as const) {
      expect({ url, result: await post(client, url) }).toMatchObject({
        url,
        result: { status: 200, ok: true },
      });
      expect(server.received.at(-1)!.headers.host).toBe(host);
    }
  });

  it('connects to the vetted address without resolving the host again', async () => {
    const server = await startServer(answer(200));
    const calls: string[] = [];
    // No address cache: each send vets once, and `.test` names only resolve through this lookup.
    const client = sender('127.0.0.1/32', testLookup(calls), 0);
    expect(await post(client, `http://hooks.test:${server.port}/a`)).toMatchObject({ status: 200 });
    expect(await post(client, `http://hooks.test:${server.port}/b`)).toMatchObject({ status: 200 });
    expect(calls).toEqual(['hooks.test', 'hooks.test']);
    expect(server.received.map((received) => received.headers.host)).toEqual([
      `hooks.test:${server.port}`,
      `hooks.test:${server.port}`,
    ]);
    expect(server.connections).toBe(1);
  });

  it('reuses a vetted address for a while, shared by concurrent sends', async () => {
    const server = await startServer(answer(200));
    const calls: string[] = [];
    const client = sender('127.0.0.1/32', testLookup(calls));
    const results = await Promise.all(
      Array.from({ length: 10 }, () => post(client, `http://hooks.test:${server.port}/`)),
    );
    expect(results.every((result) => result.ok)).toBe(true);
    expect(calls).toEqual(['hooks.test']);
  });

  it('refuses a host when any resolved address is refused', async () => {
    const server = await startServer(answer(200));
    const client = sender('127.0.0.1/32', () =>
      Promise.resolve([
        { address: '127.0.0.1', family: 4 },
        { address: '127.0.0.2', family: 4 },
      ]),
    );
    expect(await post(client, `http://mixed.test:${server.port}/`)).toMatchObject(refusal);
    expect(server.connections).toBe(0);
  });

  it('fails, retryably, when the host does not resolve', async () => {
    const result = await post(sender('127.0.0.1/32', testLookup()), 'http://nowhere.invalid/');
    expect(result).toMatchObject({
      status: null,
      ok: false,
      error: 'DNS lookup failed (ENOTFOUND)',
      refused: false,
    });
  });

  it('refuses other schemes and unusable URLs', async () => {
    const client = sender('127.0.0.1/32');
    expect(await post(client, 'ftp://127.0.0.1/')).toMatchObject(refusal);
    expect(await post(client, 'file:///etc/passwd')).toMatchObject(refusal);
    expect(await post(client, 'not a url')).toMatchObject({ ok: false, error: 'invalid URL', refused: true });
  });
});

describe('HttpSender over TLS', () => {
  let dir: string;
  let key: string;
  let cert: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'rl-outbound-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=hooks.test',
        '-addext',
        'subjectAltName=DNS:hooks.test',
      ],
      { stdio: 'pipe' },
    );
    key = readFileSync(path.join(dir, 'key.pem'), 'utf8');
    cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const startTlsServer = (): Promise<TestServer> =>
    serve(createHttpsServer({ key, cert }), answer(200, 'secure'), '127.0.0.1', 'https');

  const tlsSender = (trusted: string[]): HttpSender => {
    const created = new HttpSender(new DestinationGuard(parseCidrs('127.0.0.1/32'), testLookup()), {
      extraCaCertificates: trusted,
    });
    senders.push(created);
    return created;
  };

  it('connects to the vetted address and checks the certificate against the host name', async () => {
    const server = await startTlsServer();
    const result = await post(tlsSender([cert]), `https://hooks.test:${server.port}/`);
    expect(result).toMatchObject({ status: 200, ok: true, responseBody: 'secure' });
    expect(server.received[0]!.servername).toBe('hooks.test');
    expect(server.received[0]!.headers.host).toBe(`hooks.test:${server.port}`);
  });

  it('fails when the certificate names another host', async () => {
    const server = await startTlsServer();
    const result = await post(tlsSender([cert]), `https://other.test:${server.port}/`);
    expect(result).toMatchObject({ status: null, ok: false, refused: false });
    expect(result.error).toMatch(/^TLS: .*other\.test/);
    expect(server.received).toHaveLength(0);
  });

  it('fails when the certificate is not trusted', async () => {
    const server = await startTlsServer();
    const result = await post(tlsSender([]), `https://hooks.test:${server.port}/`);
    expect(result).toMatchObject({ status: null, ok: false, refused: false });
    expect(result.error).toMatch(/^TLS: /);
    expect(server.received).toHaveLength(0);
  });
});
