// `pnpm start` (scripts/platform.mjs) under a crash: a SIGKILLed service is restarted with backoff and the
// platform serves again; SIGTERM to the runner stops every service cleanly, each logging its own shutdown.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Api,
  createPoolWithWebhook,
  createTestDatabase,
  eventually,
  freePort,
  natsServerAvailable,
  PrivateNats,
  REPO_ROOT,
  runToCompletion,
  startInfrastructure,
  uniqueName,
  withContext,
} from '@rocketlead/testing';

interface LogLine {
  service?: string;
  msg?: string;
  [field: string]: unknown;
}

const SERVICES = ['leads', 'calendar', 'integrations', 'automation', 'ingress'] as const;

class Runner {
  readonly lines: LogLine[] = [];
  readonly child: ChildProcess;

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts', 'platform.mjs')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    const collect = (chunk: Buffer): void => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const part of parts.filter(Boolean)) {
        try {
          this.lines.push(JSON.parse(part) as LogLine);
        } catch {
          this.lines.push({ msg: part });
        }
      }
    };
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
  }

  find(service: string, msg: string, fields: Record<string, unknown> = {}): LogLine[] {
    return this.lines.filter(
      (l) => l.service === service && l.msg === msg && Object.entries(fields).every(([k, v]) => l[k] === v),
    );
  }

  /** Pid of the latest "service started" line of a service. */
  pidOf(service: string): number {
    return Number(this.find(service, 'service started').at(-1)?.pid);
  }

  /** Polls until the condition holds; a timeout shows the runner's last log lines. */
  async waitFor(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
    try {
      await eventually(condition, { timeoutMs, message: what });
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${this.dump()}`);
    }
  }

  dump(): string {
    return this.lines
      .slice(-60)
      .map((l) => JSON.stringify(l))
      .join('\n');
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const ready = async (port: number): Promise<boolean> =>
  (await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined))?.status === 200;

(natsServerAvailable ? describe : describe.skip)('pnpm start (scripts/platform.mjs)', () => {
  let nats: PrivateNats;
  let db: { url: string; drop(): Promise<void> };
  let runner: Runner;
  const ports: Record<string, number> = {};
  const namespace = uniqueName('run');

  beforeAll(async () => {
    const infra = await startInfrastructure();
    db = await createTestDatabase(infra.postgresUrl, uniqueName('runner'));
    nats = await PrivateNats.start();
    for (const service of SERVICES) ports[service] = await freePort();
    runner = new Runner({
      ...process.env,
      DATABASE_URL: db.url,
      NATS_URL: nats.url,
      RL_NAMESPACE: namespace,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      LEADS_PORT: String(ports.leads),
      CALENDAR_PORT: String(ports.calendar),
      AUTOMATION_PORT: String(ports.automation),
      INTEGRATIONS_PORT: String(ports.integrations),
      // A key of its own, as a deployment would give it (under NODE_ENV=test the development key would do).
      INTEGRATIONS_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      INGRESS_PORT: String(ports.ingress),
      PORT: String(ports.ingress),
    });
  }, 120_000);

  afterAll(async () => {
    if (runner?.child.exitCode === null && runner.child.signalCode === null) {
      runner.child.kill('SIGKILL');
      for (const service of SERVICES)
        if (runner.pidOf(service)) process.kill(runner.pidOf(service), 'SIGKILL');
    }
    await nats?.down();
    if (nats) rmSync(nats.storeDir, { recursive: true, force: true });
    await db?.drop();
  }, 60_000);

  it('says "platform running" only once every service answers ready', async () => {
    await runner.waitFor(
      () => runner.find('platform', 'platform running').length === 1,
      'platform running',
      90_000,
    );
    for (const service of SERVICES) {
      const isReady = await ready(ports[service]!);
      withContext(`${service} ready when "platform running" was logged`, () => expect(isReady).toBe(true));
    }
  }, 120_000);

  it('restarts a SIGKILLed service with backoff, logged loudly, and serves again', async () => {
    const before = runner.pidOf('leads');
    expect(alive(before)).toBe(true);
    process.kill(before, 'SIGKILL');

    await runner.waitFor(
      () => runner.find('platform', 'service crashed; restarting', { name: 'leads' }).length > 0,
      'crash logged',
      10_000,
    );
    const crash = runner.find('platform', 'service crashed; restarting', { name: 'leads' })[0]!;
    expect(crash).toMatchObject({ level: 'error', signal: 'SIGKILL', restartInMs: 500, restartCount: 1 });

    await runner.waitFor(
      () => runner.find('platform', 'service restarted and ready', { name: 'leads' }).length > 0,
      'leads restarted and ready',
      60_000,
    );
    const after = runner.pidOf('leads');
    expect(after).not.toBe(before);
    expect(alive(after)).toBe(true);
    // The other services were not stopped along with it.
    expect(runner.find('platform', 'stopping platform')).toHaveLength(0);

    // The platform serves again: ingress reaches the restarted leads over NATS.
    const options = { databaseUrl: db.url, natsUrl: nats.url, namespace };
    const { token } = JSON.parse(
      await runToCompletion(options, 'ingress', 'cli.js', ['bootstrap', '--org', 'Runner Co']),
    ) as { token: string };
    const setup = await createPoolWithWebhook(new Api(`http://127.0.0.1:${ports.ingress}`, token));
    expect(setup.poolId).toEqual(expect.any(String));
  }, 120_000);

  it('stops every service on SIGTERM, each logging its own shutdown, with no restart', async () => {
    const pids = SERVICES.map((service) => runner.pidOf(service));
    const exited = new Promise<number | null>((resolve) =>
      runner.child.once('exit', (code) => resolve(code)),
    );
    runner.child.kill('SIGTERM');
    expect(await exited).toBe(0);

    for (const pid of pids) expect(alive(pid)).toBe(false);
    for (const service of SERVICES) {
      withContext(`${service} logged its shutdown\n${runner.dump()}`, () => {
        expect(runner.find(service, 'service stopping').at(-1)).toMatchObject({ signal: 'SIGTERM' });
        expect(runner.find(service, 'service stopped').at(-1)).toMatchObject({ signal: 'SIGTERM' });
      });
    }
    expect(runner.find('platform', 'platform stopped')).toHaveLength(1);
    // Only the one restart of the SIGKILL test: a service stopping on SIGTERM is not restarted.
    expect(runner.find('platform', 'service crashed; restarting')).toHaveLength(1);
  }, 60_000);
});
