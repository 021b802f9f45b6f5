// The services against a nats-server run with deploy/nats-server.conf: each connects as its own user and the
// platform works under the subject permissions; a wrong password makes readiness 503 with a reason naming NATS.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect } from 'nats';
import { WireNames } from '@rocketlead/contracts';
import {
  Api,
  ConfiguredNats,
  createPoolWithWebhook,
  createTestDatabase,
  deployNatsOptions,
  eventually,
  freePort,
  natsServerBinAvailable,
  REPO_ROOT,
  runToCompletion,
  startInfrastructure,
  startService,
  stopService,
  uniqueName,
  type PlatformOptions,
  type ServiceProcess,
} from '@rocketlead/testing';

const SERVICES = ['leads', 'calendar', 'ingress'] as const;
type Service = (typeof SERVICES)[number];
const PASSWORDS: Record<Service | 'admin', string> = {
  leads: 'leads-pw-7d1c',
  calendar: 'calendar-pw-2b9e',
  ingress: 'ingress-pw-51fa',
  admin: 'admin-pw-0c3d',
};
const WRONG = 'wrong-pw-9a7f';
// deploy/nats-server.conf is written for the default namespace; this server is private to the test.
const names = new WireNames('');

const serverOptions = (leadsPassword = PASSWORDS.leads) =>
  deployNatsOptions({ ...PASSWORDS, leads: leadsPassword });

(natsServerBinAvailable() ? describe : describe.skip)('services on deploy/nats-server.conf', () => {
  let nats: ConfiguredNats;
  let db: { url: string; drop(): Promise<void> };
  const running: ServiceProcess[] = [];
  const optionsFor = (service: Service, password = PASSWORDS[service]): PlatformOptions => ({
    databaseUrl: db.url,
    natsUrl: nats.url(service, password),
    namespace: '',
    env: { LOG_LEVEL: 'info' },
  });

  beforeAll(async () => {
    const infra = await startInfrastructure();
    db = await createTestDatabase(infra.postgresUrl, uniqueName('natsauth'));
    nats = await ConfiguredNats.start(serverOptions());
  }, 60_000);

  afterAll(async () => {
    for (const service of running) await stopService(service, 'SIGKILL');
    await nats?.dispose();
    await db?.drop();
  }, 60_000);

  it('a migration with a wrong password fails at once, naming NATS, without the password', async () => {
    const failed = await runToCompletion(optionsFor('leads', WRONG), 'leads', 'main.js', ['migrate']).then(
      () => '',
      (error: Error) => error.message,
    );
    expect(failed).toContain('NATS authentication failed: Authorization Violation');
    expect(failed).not.toContain(WRONG);
  }, 60_000);

  it('a service with a wrong password stays up, logs why, and reports NATS down on /health/ready', async () => {
    await runToCompletion(optionsFor('leads'), 'leads', 'main.js', ['migrate']);
    const port = await freePort();
    const options = optionsFor('leads', WRONG);
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'apps', 'leads', 'dist', 'main.js')], {
      env: {
        ...process.env,
        DATABASE_URL: options.databaseUrl,
        NATS_URL: options.natsUrl,
        RL_NAMESPACE: '',
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    child.stdout.on('data', (d: Buffer) => output.push(...d.toString().split('\n').filter(Boolean)));
    child.stderr.on('data', (d: Buffer) => output.push(...d.toString().split('\n').filter(Boolean)));
    try {
      const body = await eventually(
        async () => {
          const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
          const json = (await res.json()) as { reasons?: { nats?: string } };
          // "NATS connecting" until the first attempt is refused.
          return res.status === 503 && json.reasons?.nats?.startsWith('NATS authentication')
            ? json
            : undefined;
        },
        { timeoutMs: 30_000, message: 'readiness names NATS' },
      );
      expect(body).toMatchObject({
        statusCode: 503,
        checks: { nats: 'down' },
        reasons: { nats: 'NATS authentication failed: Authorization Violation' },
      });
      expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
      const lines = output.map((l) => JSON.parse(l) as { level?: string; msg?: string });
      expect(lines).toContainEqual(
        expect.objectContaining({
          level: 'error',
          msg: 'NATS authentication failed: Authorization Violation',
        }),
      );
      expect(output.join('\n')).not.toContain(WRONG);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      // Even while still waiting for NATS, it stops cleanly on SIGTERM.
      expect(await exited).toBe(0);
    }
  }, 60_000);

  it('runs every service as its own user: commands, replies and events pass the permissions', async () => {
    for (const service of SERVICES)
      await runToCompletion(optionsFor(service), service, 'main.js', ['migrate']);
    running.push(await startService(optionsFor('leads'), 'leads'));
    running.push(await startService(optionsFor('calendar'), 'calendar'));
    const ingress = await startService(optionsFor('ingress'), 'ingress');
    running.push(ingress);

    const { token } = JSON.parse(
      await runToCompletion(optionsFor('ingress'), 'ingress', 'cli.js', ['bootstrap', '--org', 'Auth Co']),
    ) as { token: string };
    const baseUrl = `http://127.0.0.1:${ingress.port}`;
    const { webhookId, webhookToken } = await createPoolWithWebhook(new Api(baseUrl, token));
    const posted = await fetch(`${baseUrl}/public/ingress_webhooks/${webhookId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-rocketlead-ingress-token': webhookToken },
      body: JSON.stringify({ data: { email: 'auth@example.com' } }),
    });
    expect(posted.status).toBe(201);

    // leads' outbox relay published its events into LEADS as the leads user.
    const admin = await connect({
      servers: nats.url(),
      user: 'admin',
      pass: PASSWORDS.admin,
    });
    try {
      const jsm = await admin.jetstreamManager();
      await eventually(async () => (await jsm.streams.info(names.stream('LEADS').name)).state.messages > 0, {
        timeoutMs: 20_000,
        message: 'events in LEADS',
      });
    } finally {
      await admin.close();
    }
    const violations = running.flatMap((s) => s.output).filter((l) => l.includes('permissions violation'));
    expect(violations).toEqual([]);
  }, 120_000);

  it('a running service whose password NATS stops accepting turns not ready with the reason, then recovers', async () => {
    const leads = running.find((s) => s.name === 'leads')!;
    const readiness = async () => {
      const res = await fetch(`http://127.0.0.1:${leads.port}/health/ready`);
      return { status: res.status, body: (await res.json()) as { reasons?: { nats?: string } } };
    };
    await nats.restart(serverOptions('rotated-pw-e41b'));
    const refused = await eventually(
      async () => {
        const r = await readiness();
        return r.status === 503 && r.body.reasons?.nats?.startsWith('NATS authentication') ? r : undefined;
      },
      { timeoutMs: 30_000, message: 'leads not ready, naming NATS' },
    );
    expect(refused.body).toMatchObject({
      checks: { nats: 'down' },
      reasons: { nats: 'NATS authentication failed: Authorization Violation' },
    });
    // The service kept running and reconnects once its password is accepted again.
    await nats.restart(serverOptions());
    await eventually(async () => (await readiness()).status === 200, {
      timeoutMs: 30_000,
      message: 'leads ready again',
    });
    expect(leads.child.exitCode).toBeNull();
  }, 90_000);
});
