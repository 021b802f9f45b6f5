#!/usr/bin/env node
// Runs the whole platform in the foreground: migrations first, then every service, until SIGINT/SIGTERM.
// Each service writes JSON lines tagged with its name; this runner adds its own lines as service "platform".
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Start order matters: leads and calendar answer the commands ingress sends.
export const SERVICES = [
  { name: 'leads', port: process.env.LEADS_PORT ?? '3001' },
  { name: 'calendar', port: process.env.CALENDAR_PORT ?? '3002' },
  { name: 'ingress', port: process.env.PORT ?? '3000' },
];

const STOP_TIMEOUT_MS = 20_000;

function log(level, msg, fields = {}) {
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), level, service: 'platform', msg, ...fields })}\n`,
  );
}

function run(service, args, env) {
  const child = spawn(process.execPath, [path.join(root, 'apps', service.name, 'dist', 'main.js'), ...args], {
    env: { ...process.env, ...env, PORT: service.port },
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

async function main() {
  const launchers = launcherChain();
  await migrateAll();
  const children = new Map(SERVICES.map((service) => [service.name, run(service, [])]));
  let stopping = false;

  const stop = async (reason, exitCode) => {
    if (stopping) return;
    stopping = true;
    log('info', 'stopping platform', { reason });
    const all = [...children.values()];
    for (const child of all) if (child.exitCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => {
      log('warn', 'services did not stop in time; killing them');
      for (const child of all) child.kill('SIGKILL');
    }, STOP_TIMEOUT_MS);
    await Promise.all(all.map(exited));
    clearTimeout(timer);
    log('info', 'platform stopped');
    process.exit(exitCode);
  };

  process.on('SIGINT', () => void stop('SIGINT', 0));
  process.on('SIGTERM', () => void stop('SIGTERM', 0));
  setInterval(() => {
    if (launchers.some((pid) => !alive(pid))) void stop('launcher exited', 0);
  }, 250).unref();
  for (const [name, child] of children) {
    child.once('exit', (code, signal) => {
      if (stopping) return;
      log('error', 'service exited unexpectedly', { name, code, signal });
      void stop(`${name} exited`, 1);
    });
  }
  log('info', 'platform running', { services: SERVICES.map((s) => `${s.name}:${s.port}`) });
}

main().catch((error) => {
  log('error', 'platform failed to start', { error: error.message });
  process.exit(1);
});
