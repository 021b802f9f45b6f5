import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { eventually } from './eventually';
import { REPO_ROOT } from './repo-root';

export interface ServiceProcess {
  name: string;
  port: number;
  child: ChildProcess;
  /** Every line the process printed (stdout and stderr). */
  output: string[];
}

export interface PlatformOptions {
  /** Repository root (the folder holding apps/); this checkout's by default. */
  root?: string;
  databaseUrl: string;
  natsUrl: string;
  namespace: string;
  env?: Record<string, string>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function appEntry(options: PlatformOptions, name: string, entry: string): string {
  return path.join(options.root ?? REPO_ROOT, 'apps', name, 'dist', entry);
}

function serviceEnv(options: PlatformOptions, port: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: options.databaseUrl,
    NATS_URL: options.natsUrl,
    RL_NAMESPACE: options.namespace,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    // Six services share one Postgres (max_connections 100), as under `pnpm start`.
    DB_POOL_SIZE: process.env.DB_POOL_SIZE ?? '12',
    ...options.env,
  };
}

/** Runs `node apps/<name>/dist/<entry> ...args` to completion; rejects on a non-zero exit. */
export async function runToCompletion(
  options: PlatformOptions,
  name: string,
  entry: string,
  args: string[],
): Promise<string> {
  const child = spawn(process.execPath, [appEntry(options, name, entry), ...args], {
    env: serviceEnv(options, 0),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  if (code !== 0) throw new Error(`${name} ${entry} ${args.join(' ')} exited ${code}: ${stderr || stdout}`);
  return stdout;
}

// A slow CI machine boots six services at once on two cores: generous, and only waited out when one hangs.
const READY_TIMEOUT_MS = 90_000;

/**
 * Starts one built service as a child process and waits until /health/ready answers 200. A free port taken by
 * someone else before the service bound it (EADDRINUSE) is retried on another one, unless `port` was given.
 */
export async function startService(
  options: PlatformOptions,
  name: string,
  port?: number,
): Promise<ServiceProcess> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startServiceOnce(options, name, port ?? (await freePort()));
    } catch (error) {
      if (port !== undefined || attempt >= 3 || !/EADDRINUSE/.test((error as Error).message)) throw error;
    }
  }
}

async function startServiceOnce(
  options: PlatformOptions,
  name: string,
  port: number,
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [appEntry(options, name, 'main.js')], {
    env: serviceEnv(options, port),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const service: ServiceProcess = { name, port, child, output: [] };
  const collect = (d: Buffer) => service.output.push(...d.toString().split('\n').filter(Boolean));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  try {
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`${name} exited: ${service.output.join('\n')}`);
        const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
        return res.status === 200;
      },
      { timeoutMs: READY_TIMEOUT_MS, intervalMs: 100, message: `${name} ready` },
    );
  } catch (error) {
    // Never leave a half-started service behind: it would load the machine for the tests after this one.
    await stopService(service, 'SIGKILL');
    throw error;
  }
  return service;
}

/** Stops a service: SIGTERM (graceful) by default, SIGKILL to simulate a crash. */
export async function stopService(
  service: ServiceProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  const { child } = service;
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill(signal);
  return exited;
}

export interface RunningPlatform {
  options: PlatformOptions;
  leads: ServiceProcess;
  calendar: ServiceProcess;
  automation: ServiceProcess;
  delivery: ServiceProcess;
  integrations: ServiceProcess;
  ingress: ServiceProcess;
  baseUrl: string;
  /** Creates an organization and returns its admin token, as `pnpm rl bootstrap` does. */
  bootstrap(org: string): Promise<{ organizationId: string; token: string }>;
  stop(): Promise<void>;
}

/** Migrates and starts every service as a real process, like `pnpm start` does. */
export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  // integrations would take its public development key under NODE_ENV=test: give it one, as a deployment would.
  const withKey: PlatformOptions = {
    ...options,
    env: { INTEGRATIONS_ENCRYPTION_KEY: randomBytes(32).toString('hex'), ...options.env },
  };
  for (const name of ['leads', 'calendar', 'automation', 'delivery', 'integrations', 'ingress'])
    await runToCompletion(withKey, name, 'main.js', ['migrate']);
  const started = await Promise.allSettled(
    (['leads', 'calendar', 'automation', 'delivery', 'integrations'] as const).map((name) =>
      startService(withKey, name),
    ),
  );
  const running = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  // Never leave the others running after the test gave up on this platform.
  const abandon = async (error: unknown): Promise<never> => {
    await Promise.all(running.map((service) => stopService(service, 'SIGKILL')));
    throw error;
  };
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) await abandon(failed.reason);
  const [leads, calendar, automation, delivery, integrations] = running as [
    ServiceProcess,
    ServiceProcess,
    ServiceProcess,
    ServiceProcess,
    ServiceProcess,
  ];
  const ingress = await startService(options, 'ingress').catch(abandon);
  const platform: RunningPlatform = {
    options,
    leads,
    calendar,
    automation,
    delivery,
    integrations,
    ingress,
    baseUrl: `http://127.0.0.1:${ingress.port}`,
    bootstrap: async (org) =>
      JSON.parse(await runToCompletion(options, 'ingress', 'cli.js', ['bootstrap', '--org', org])) as {
        organizationId: string;
        token: string;
      },
    stop: async () => {
      await stopService(platform.ingress);
      await Promise.all([
        stopService(platform.leads),
        stopService(platform.calendar),
        stopService(platform.automation),
        stopService(platform.delivery),
        stopService(platform.integrations),
      ]);
    },
  };
  return platform;
}
