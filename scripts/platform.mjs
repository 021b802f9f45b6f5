#!/usr/bin/env node
// Runs the whole platform in the foreground: migrations first, then every service, until SIGINT/SIGTERM.
// A service that crashes is restarted with exponential backoff (logged loudly) instead of stopping the rest.
// Each service writes JSON lines tagged with its name; this runner adds its own lines as service "platform".
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Start order matters: leads and calendar answer the commands integrations, automation, delivery and ingress
// send; integrations answers automation's and ingress's, and automation and delivery answer ingress's.
// Migrations run one after another in this order; the services are then started in this order too, and
// "platform running" waits for every one of them.
// <SERVICE>_PORT picks each port; ingress also honours PORT (the one port users reach). integrations needs no
// INTEGRATIONS_ENCRYPTION_KEY here: in development (NODE_ENV unset) and under test runners (NODE_ENV=test) it uses its public development key.
export const SERVICES = [
  { name: 'leads', port: process.env.LEADS_PORT ?? '3001' },
  { name: 'calendar', port: process.env.CALENDAR_PORT ?? '3002' },
  { name: 'integrations', port: process.env.INTEGRATIONS_PORT ?? '3005' },
  { name: 'automation', port: process.env.AUTOMATION_PORT ?? '3003' },
  { name: 'delivery', port: process.env.DELIVERY_PORT ?? '3004' },
  { name: 'ingress', port: process.env.INGRESS_PORT ?? process.env.PORT ?? '3000' },
];

// Email links and SMS callbacks point at ingress: by default at the port this runner gives it.
process.env.PUBLIC_BASE_URL ||= `http://localhost:${SERVICES.find((s) => s.name === 'ingress').port}`;
// Six services share one Postgres: 12 connections each keep them inside its default max_connections (100),
// with room left for migrations, psql and tests. DB_POOL_SIZE chooses another size.
process.env.DB_POOL_SIZE ||= '12';

const STOP_TIMEOUT_MS = 20_000;
// Restart backoff: 0.5 s doubling to 30 s; a service that stayed up this long starts again from 0.5 s.
const RESTART_FIRST_MS = 500;
const RESTART_MAX_MS = 30_000;
const RESTART_RESET_AFTER_MS = 60_000;
const READY_POLL_MS = 250;
const READY_NAG_MS = 30_000;

function log(level, msg, fields = {}) {
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), level, service: 'platform', msg, ...fields })}\n`,
  );
}

/** `<SERVICE>_NATS_URL` (e.g. LEADS_NATS_URL) gives one service its own NATS user; NATS_URL is the default. */
function serviceNats(service) {
  const own = process.env[`${service.name.toUpperCase()}_NATS_URL`];
  return own ? { NATS_URL: own } : {};
}

function run(service, args, env) {
  const child = spawn(process.execPath, [path.join(root, 'apps', service.name, 'dist', 'main.js'), ...args], {
    env: { ...process.env, ...serviceNats(service), ...env, PORT: service.port },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  createInterface({ input: child.stdout }).on('line', (line) => process.stdout.write(`${line}\n`));
  // Anything a service prints on stderr (a crash trace) is wrapped so stdout stays one JSON entry per line.
  createInterface({ input: child.stderr }).on('line', (line) =>
    process.stdout.write(
      `${JSON.stringify({ time: new Date().toISOString(), level: 'error', service: service.name, msg: line })}\n`,
    ),
  );
  return child;
}

function exited(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode ?? 1);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

async function migrateAll() {
  for (const service of SERVICES) {
    const code = await exited(run(service, ['migrate']));
    if (code !== 0) throw new Error(`migrations of ${service.name} failed (exit ${code})`);
  }
}

/**
 * `pnpm start` reaches this process through `sh -c` and pnpm's `node` shim, neither of which forwards
 * SIGTERM. So the runner watches its ancestors up to the pnpm process: when one of them is gone (someone
 * stopped `pnpm start`), it stops the platform as if it had received the signal itself.
 */
function launcherChain() {
  const chain = [];
  let pid = process.ppid;
  for (let depth = 0; depth < 6 && pid > 1; depth++) {
    let line;
    try {
      line = execFileSync('ps', ['-o', 'ppid=,args=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    } catch {
      break;
    }
    chain.push(pid);
    if (/\bpnpm\b|\bnpm\b/.test(line)) return chain;
    pid = Number(line.split(/\s+/)[0]);
  }
  return chain.slice(0, 1);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Asks /health/ready; resolves to null when ready, else what it said (or why it could not be asked). */
async function notReady(service) {
  try {
    const res = await fetch(`http://127.0.0.1:${service.port}/health/ready`, {
      signal: AbortSignal.timeout(2_000),
    });
    if (res.status === 200) return null;
    const body = await res.json().catch(() => ({}));
    return body.reasons ?? body.checks ?? `HTTP ${res.status}`;
  } catch (error) {
    return error.cause?.code ?? error.name;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Keeps one service running: restarts it after a crash with backoff until the platform stops. */
class Supervisor {
  restarts = 0;
  child = undefined;
  timer = undefined;
  stopping = false;

  constructor(service) {
    this.service = service;
  }

  start() {
    const startedAt = Date.now();
    const child = run(this.service, []);
    this.child = child;
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      if (Date.now() - startedAt >= RESTART_RESET_AFTER_MS) this.restarts = 0;
      const delay = Math.min(RESTART_FIRST_MS * 2 ** this.restarts, RESTART_MAX_MS);
      this.restarts++;
      log('error', 'service crashed; restarting', {
        name: this.service.name,
        code,
        signal,
        restartInMs: delay,
        restartCount: this.restarts,
      });
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (!this.stopping) this.start();
        void this.announceReady();
      }, delay);
    });
  }

  /** After a restart: one line when the service answers ready again. */
  async announceReady() {
    const child = this.child;
    while (!this.stopping && this.child === child && child.exitCode === null && child.signalCode === null) {
      if ((await notReady(this.service)) === null) {
        log('info', 'service restarted and ready', { name: this.service.name, restartCount: this.restarts });
        return;
      }
      await sleep(READY_POLL_MS);
    }
  }

  async stop() {
    this.stopping = true;
    clearTimeout(this.timer);
    const child = this.child;
    if (!child) return;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited(child);
  }

  kill() {
    this.child?.kill('SIGKILL');
  }
}

/** Logs "platform running" once every service answers ready; says who it waits for (and why) meanwhile. */
async function announceRunning(isStopping) {
  let nagAt = Date.now() + READY_NAG_MS;
  while (!isStopping()) {
    const states = await Promise.all(SERVICES.map(async (s) => [s.name, await notReady(s)]));
    const waiting = Object.fromEntries(states.filter(([, reason]) => reason !== null));
    if (Object.keys(waiting).length === 0) {
      if (!isStopping())
        log('info', 'platform running', { services: SERVICES.map((s) => `${s.name}:${s.port}`) });
      return;
    }
    if (Date.now() >= nagAt) {
      log('warn', 'waiting for services to be ready', { waiting });
      nagAt = Date.now() + READY_NAG_MS;
    }
    await sleep(READY_POLL_MS);
  }
}

async function main() {
  const launchers = launcherChain();
  let stopping = false;
  const supervisors = SERVICES.map((service) => new Supervisor(service));

  const stop = async (reason, exitCode) => {
    if (stopping) return;
    stopping = true;
    log('info', 'stopping platform', { reason });
    const timer = setTimeout(() => {
      log('warn', 'services did not stop in time; killing them');
      for (const supervisor of supervisors) supervisor.kill();
    }, STOP_TIMEOUT_MS);
    await Promise.all(supervisors.map((supervisor) => supervisor.stop()));
    clearTimeout(timer);
    log('info', 'platform stopped');
    process.exit(exitCode);
  };

  process.on('SIGINT', () => void stop('SIGINT', 0));
  process.on('SIGTERM', () => void stop('SIGTERM', 0));
  setInterval(() => {
    if (launchers.some((pid) => !alive(pid))) void stop('launcher exited', 0);
  }, 250).unref();

  await migrateAll();
  if (stopping) return;
  for (const supervisor of supervisors) supervisor.start();
  await announceRunning(() => stopping);
}

main().catch((error) => {
  log('error', 'platform failed to start', { error: error.message });
  process.exit(1);
});
