// NATS authentication against private nats-servers started with credentials: the real deploy/nats-server.conf
// (a user per service, subject permissions), a token, and mutual TLS with certificates made by openssl.
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NatsConnection } from 'nats';
import { COMMANDS, uuidv7, WireNames, type CloudEvent } from '@rocketlead/contracts';
import { commonServiceEnv, ConfigError, JsonLogger, loadConfig } from '@rocketlead/observability';
import {
  ConfiguredNats,
  deployNatsOptions,
  eventually,
  natsServerBinAvailable,
  REPO_ROOT,
} from '@rocketlead/testing';
import {
  connectNats,
  ensureStreams,
  JetStreamOutboxPublisher,
  OutboxRefusal,
  natsBootStatus,
  natsSecurity,
  natsStatus,
  parseNatsUrl,
  redactNatsUrl,
  type NatsEnvConfig,
} from '../src';

const names = new WireNames('');
// Characters that must survive URL encoding, and must never show up in a log line or error.
const PASSWORDS = { leads: 'leads-S3cret:@/x', calendar: 'calendar-S3cret', ingress: 'ingress-S3cret' };

/** A logger whose lines the test reads. */
function capturingLogger(name: string): { logger: JsonLogger; lines: string[] } {
  const lines: string[] = [];
  return { logger: new JsonLogger(name, 'debug', (line) => lines.push(line)), lines };
}

const parsed = (lines: string[]): Record<string, unknown>[] =>
  lines.map((l) => JSON.parse(l) as Record<string, unknown>);

const available = natsServerBinAvailable();

describe('NATS_URL parsing', () => {
  it('takes user and password out of the URL and redacts the password for logs', () => {
    expect(parseNatsUrl('nats://leads:p%40ss%3Aw@nats:4222,nats://leads:p%40ss%3Aw@nats2:4222')).toEqual({
      servers: ['nats://nats:4222', 'nats://nats2:4222'],
      user: 'leads',
      pass: 'p@ss:w',
    });
    expect(parseNatsUrl('nats://127.0.0.1:4222')).toEqual({ servers: ['nats://127.0.0.1:4222'] });
    expect(redactNatsUrl('nats://leads:secret@nats:4222,nats://h:4222')).toBe(
      'nats://leads:[redacted]@nats:4222,nats://h:4222',
    );
  });
});

describe('NATS environment validated at boot', () => {
  it('reports every bad NATS variable in one error, never showing a secret', () => {
    const existing = path.join(REPO_ROOT, 'deploy', 'nats-server.conf');
    let error: unknown;
    try {
      loadConfig(commonServiceEnv(3000), {
        NATS_URL: 'http://leads:hunter2@nats:4222',
        NATS_TOKEN: 'tok-hunter3',
        NATS_CREDS: '/nonexistent/leads.creds',
        NATS_TLS_CA: '/nonexistent/ca.pem',
        NATS_TLS_CERT: existing,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect((error as ConfigError).problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^NATS_URL="http:\/\/leads:\[redacted\]@nats:4222" is invalid: must use nats or tls/,
        ),
        expect.stringMatching(/^NATS_TOKEN: set NATS_TOKEN or NATS_CREDS, not both/),
        expect.stringMatching(/^NATS_CREDS=.* is invalid: no such file/),
        expect.stringMatching(/^NATS_TLS_CA=.* is invalid: no such file/),
        expect.stringMatching(/^NATS_TLS_CERT: set NATS_TLS_KEY too/),
      ]),
    );
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('hunter3');
  });

  it('accepts a user in NATS_URL, or a token, or a certificate with its key', () => {
    const file = path.join(REPO_ROOT, 'deploy', 'nats-server.conf');
    const config = loadConfig(commonServiceEnv(3000), {
      NATS_URL: 'nats://leads:pw@nats:4222,tls://leads:pw@nats2:4222',
      NATS_TLS_CA: file,
      NATS_TLS_CERT: file,
      NATS_TLS_KEY: file,
    });
    expect(natsSecurity(config)).toEqual({ tls: { caFile: file, certFile: file, keyFile: file } });
    const token = loadConfig(commonServiceEnv(3000), { NATS_URL: 'nats://nats:4222', NATS_TOKEN: 't' });
    expect(natsSecurity(token)).toEqual({ token: 't' });
  });
});

const serverOptions = (leadsPassword = PASSWORDS.leads) =>
  deployNatsOptions({ ...PASSWORDS, leads: leadsPassword, admin: 'admin-S3cret' });

(available ? describe : describe.skip)('deploy/nats-server.conf: a user per service', () => {
  let server: ConfiguredNats;
  const open: NatsConnection[] = [];
  const connectAs = async (user: keyof typeof PASSWORDS, logger?: JsonLogger) => {
    const nc = await connectNats({
      url: server.url(user, PASSWORDS[user]),
      name: user,
      logger,
      signal: AbortSignal.timeout(20_000),
    });
    open.push(nc);
    return nc;
  };

  beforeAll(async () => {
    server = await ConfiguredNats.start(serverOptions());
  }, 30_000);

  afterAll(async () => {
    for (const nc of open) await nc.close().catch(() => undefined);
    await server?.dispose();
  });

  it('connects each service with the user and password in NATS_URL, and they work', async () => {
    const { logger, lines } = capturingLogger('leads');
    const leads = await connectAs('leads', logger);
    const calendar = await connectAs('calendar');
    const ingress = await connectAs('ingress');

    // The migrations' stream setup, each with its own user.
    await ensureStreams(leads, names, ['LEADS', 'DEAD_LETTER']);
    await ensureStreams(calendar, names, ['CALENDAR', 'DEAD_LETTER']);

    // A command from ingress, answered by leads (its queue group), as request/reply.
    const sub = leads.subscribe(names.command(COMMANDS.poolsGet), {
      queue: 'leads',
      callback: (_err, msg) => msg.respond(new TextEncoder().encode('{"ok":true}')),
    });
    await leads.flush(); // the subscription is on the server before ingress asks
    const reply = await ingress.request(names.command(COMMANDS.poolsGet), '{}', { timeout: 5_000 });
    expect(reply.string()).toBe('{"ok":true}');
    sub.unsubscribe();

    // leads publishes its own events into its stream.
    const ack = await leads.jetstream().publish(names.eventSubject('table.entry.added'), '{}');
    expect(ack.stream).toBe(names.stream('LEADS').name);

    expect(await natsStatus(leads)).toEqual({ up: true });
    expect(lines.join('\n')).not.toContain(PASSWORDS.leads);
  });

  it("refuses a service publishing on another service's event subject or taking its commands", async () => {
    const { logger, lines } = capturingLogger('leads');
    const leads = await connectAs('leads', logger);
    const calendar = await connectAs('calendar');
    const ingress = await connectAs('ingress');
    const calendarStream = names.stream('CALENDAR').name;
    const foreign = names.eventSubject('calendar.booking.created');

    await expect(leads.jetstream().publish(foreign, '{}', { timeout: 1_000 })).rejects.toThrow();
    await eventually(
      () =>
        parsed(lines).some(
          (l) =>
            l.msg === 'NATS permissions violation' &&
            (l.permission as { subject?: string } | undefined)?.subject === foreign,
        ),
      { message: 'permissions violation logged' },
    );
    // The outbox's publisher is told at once (not after its 10 s deadline), and counts it as a refusal.
    const started = Date.now();
    const event = { id: uuidv7(), type: 'calendar.booking.created' } as CloudEvent;
    const refused = await new JetStreamOutboxPublisher(leads, names, 10_000).publish(event).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(OutboxRefusal);
    expect((refused as OutboxRefusal).kind).toBe('refused');
    expect((refused as OutboxRefusal).message).toMatch(/permissions violation/i);
    expect(Date.now() - started).toBeLessThan(5_000);
    const info = await (await calendar.jetstreamManager()).streams.info(calendarStream);
    expect(info.state.messages).toBe(0);

    // ingress may not take leads' commands.
    const stolen = ingress.subscribe(names.command(COMMANDS.poolsGet));
    await expect(
      (async () => {
        for await (const _ of stolen) return 'received';
      })(),
    ).rejects.toThrow(/permissions violation/i);
  });

  it('fails a wrong password with an error naming NATS, never showing the password', async () => {
    const wrong = 'not-the-Password';
    const url = server.url('leads', wrong);
    const failing = connectNats({ url, name: 'leads-migrate', failOnAuthError: true });
    await expect(failing).rejects.toThrow('NATS authentication failed: Authorization Violation');
    const error = (await failing.catch((e: unknown) => e)) as Error;
    expect(error.message).not.toContain(wrong);
    expect(error.message).toContain('leads:[redacted]@127.0.0.1');

    // A service keeps retrying (a fixed secret needs no restart), says why on every channel, and stops on abort.
    const { logger, lines } = capturingLogger('leads');
    const abort = new AbortController();
    const retrying = connectNats({ url, name: 'leads', logger, signal: abort.signal });
    await eventually(() => lines.length > 0, { message: 'auth failure logged' });
    expect(parsed(lines)[0]).toMatchObject({
      level: 'error',
      msg: 'NATS authentication failed: Authorization Violation',
    });
    expect(natsBootStatus()).toEqual({
      up: false,
      reason: 'NATS authentication failed: Authorization Violation',
    });
    expect(lines.join('\n')).not.toContain(wrong);
    abort.abort();
    await expect(retrying).rejects.toThrow(/gave up connecting: NATS authentication failed/);
  });

  it('a connected service whose password stops being accepted reports why, and recovers once it is again', async () => {
    const { logger, lines } = capturingLogger('leads');
    const leads = await connectAs('leads', logger);
    // The server's leads password is rotated, but not yet the service's.
    await server.restart(serverOptions('rotated-Password'));
    await eventually(
      async () =>
        (await natsStatus(leads, 200)).reason === 'NATS authentication failed: Authorization Violation',
      { timeoutMs: 20_000, message: 'readiness reason names the refused credential' },
    );
    expect(await natsStatus(leads, 200)).toEqual({
      up: false,
      reason: 'NATS authentication failed: Authorization Violation',
    });
    expect(parsed(lines)).toContainEqual(
      expect.objectContaining({ level: 'error', msg: 'NATS authentication failed: Authorization Violation' }),
    );
    expect(leads.isClosed()).toBe(false);
    // Back to the password the service has: it reconnects by itself.
    await server.restart(serverOptions());
    await eventually(async () => (await natsStatus(leads, 200)).up, {
      timeoutMs: 20_000,
      message: 'reconnected after the credential is accepted again',
    });
  }, 60_000);
});

/** Connects as leads with the NATS variables of config, checks a request gets its reply, then `more`; closes. */
async function connectAndPing(
  config: NatsEnvConfig,
  more: (nc: NatsConnection) => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  const nc = await connectNats({
    url: config.NATS_URL,
    name: 'leads',
    ...natsSecurity(config),
    signal: AbortSignal.timeout(20_000),
  });
  try {
    nc.subscribe('ping', { callback: (_e, msg) => msg.respond(new TextEncoder().encode('pong')) });
    await nc.flush();
    expect((await nc.request('ping', '', { timeout: 5_000 })).string()).toBe('pong');
    await more(nc);
  } finally {
    await nc.close();
  }
}

(available ? describe : describe.skip)('NATS_TOKEN', () => {
  let server: ConfiguredNats;

  beforeAll(async () => {
    server = await ConfiguredNats.start({
      config: 'jetstream: enabled\nauthorization { token: $RL_TEST_TOKEN }\n',
      env: { RL_TEST_TOKEN: 'token-S3cret' },
    });
  }, 30_000);
  afterAll(async () => server?.dispose());

  it('connects with the token and works; a wrong token fails naming NATS', async () => {
    const config = loadConfig(commonServiceEnv(3000), { NATS_URL: server.url(), NATS_TOKEN: 'token-S3cret' });
    await connectAndPing(config);
    await expect(
      connectNats({ url: server.url(), name: 'leads', token: 'wrong', failOnAuthError: true }),
    ).rejects.toThrow('NATS authentication failed');
  });
});

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl in dir. */
function makeCertificates(
  dir: string,
): Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', string> {
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
    '-days',
    '1',
    '-subj',
    '/CN=rl-test-ca',
  );
  for (const [name, ext] of [
    ['server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n'],
    ['client', 'extendedKeyUsage=clientAuth\n'],
  ] as const) {
    writeFileSync(file(`${name}.ext`), ext);
    openssl(
      'req',
      ...ec,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.csr`),
      '-subj',
      `/CN=rl-test-${name}`,
    );
    openssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-days',
      '1',
      '-out',
      file(`${name}.pem`),
      '-extfile',
      file(`${name}.ext`),
    );
  }
  return {
    ca: file('ca.pem'),
    serverCert: file('server.pem'),
    serverKey: file('server.key'),
    clientCert: file('client.pem'),
    clientKey: file('client.key'),
  };
}

const opensslAvailable = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
})();

(available && opensslAvailable ? describe : describe.skip)(
  'NATS_TLS_CA / NATS_TLS_CERT / NATS_TLS_KEY',
  () => {
    let server: ConfiguredNats;
    let certs: ReturnType<typeof makeCertificates>;

    beforeAll(async () => {
      const dir = ConfiguredNats.tempDir();
      certs = makeCertificates(dir);
      server = await ConfiguredNats.start(
        {
          config: [
            'jetstream: enabled',
            'tls {',
            `  cert_file: "${certs.serverCert}"`,
            `  key_file: "${certs.serverKey}"`,
            `  ca_file: "${certs.ca}"`,
            '  verify: true',
            '}',
          ].join('\n'),
        },
        dir,
      );
    }, 30_000);
    afterAll(async () => server?.dispose());

    it('connects over mutual TLS with the files from the environment, and works', async () => {
      const config = loadConfig(commonServiceEnv(3000), {
        NATS_URL: server.url(),
        NATS_TLS_CA: certs.ca,
        NATS_TLS_CERT: certs.clientCert,
        NATS_TLS_KEY: certs.clientKey,
      });
      // nats.js checks the certificate of a server given by IP against "localhost" (its SAN has both).
      await connectAndPing(config, async (nc) => expect(await natsStatus(nc)).toEqual({ up: true }));
    });

    it('fails without the client certificate, naming NATS', async () => {
      const abort = new AbortController();
      const { logger, lines } = capturingLogger('leads');
      const attempt = connectNats({
        url: server.url(),
        name: 'leads',
        logger,
        tls: { caFile: certs.ca },
        signal: abort.signal,
      });
      try {
        await eventually(() => lines.length > 0, { timeoutMs: 20_000, message: 'TLS failure logged' });
        expect(String(parsed(lines)[0]?.msg)).toMatch(/^NATS .*TLS/);
      } finally {
        abort.abort();
      }
      await expect(attempt).rejects.toThrow(/gave up connecting: NATS/);
    });
  },
);
