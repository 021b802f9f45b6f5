// What the benchmarks share: option parsing, percentiles, the CPU split by process and the organization
// bootstrap. Each bench/<name>.mjs keeps only its own scenario.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A numeric option, or exit 2 naming it. */
export function numberOption(name, raw, { integer = false, min = 0 } = {}) {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    console.error(
      `--${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${JSON.stringify(raw)}`,
    );
    process.exit(2);
  }
  return value;
}

/** Nearest-rank percentiles (ms, two decimals) of every recorded value. */
export function percentiles(values) {
  const sorted = Float64Array.from(values).sort(); // typed-array sort is numeric
  const round = (v) => Math.round(v * 100) / 100;
  const at = (p) =>
    sorted.length
      ? round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)])
      : null;
  return {
    count: sorted.length,
    p50: at(50),
    p95: at(95),
    p99: at(99),
    max: sorted.length ? round(sorted[sorted.length - 1]) : null,
  };
}

export const fmt = (v, digits = 1) => (v === null || v === undefined ? '-' : v.toFixed(digits));
export const latencyLine = (l) =>
  `p50 ${fmt(l.p50)}  p95 ${fmt(l.p95)}  p99 ${fmt(l.p99)}  max ${fmt(l.max)} ms`;

// Which process a command line belongs to, for the CPU split (everything runs on this machine).
const PROCESS_GROUPS = [
  ['automation', /apps\/automation\/dist\//],
  ['leads', /apps\/leads\/dist\//],
  ['ingress', /apps\/ingress\/dist\//],
  ['calendar', /apps\/calendar\/dist\//],
  ['postgres', /^postgres/],
  ['nats-server', /nats-server/],
];
const CLOCK_TICKS = 100; // USER_HZ on Linux

/** CPU ticks (user + system) per process, with its group, from /proc; null where /proc is not there. */
export function cpuTicks() {
  let pids;
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  const ticks = new Map();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const group =
        Number(pid) === process.pid
          ? 'bench-client'
          : (PROCESS_GROUPS.find(([, pattern]) => pattern.test(cmdline))?.[0] ?? 'other');
      ticks.set(pid, { group, used: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The process ended meanwhile.
    }
  }
  return ticks;
}

/** Cores each process group used between two samples (processes present in both), largest first. */
export function coresByGroup(before, after, seconds) {
  if (!before || !after || seconds <= 0) return null;
  const cores = {};
  for (const [pid, { group, used }] of after) {
    const start = before.get(pid);
    if (!start) continue;
    cores[group] = (cores[group] ?? 0) + (used - start.used) / CLOCK_TICKS / seconds;
  }
  return Object.fromEntries(
    Object.entries(cores)
      .map(([group, value]) => [group, Math.round(value * 100) / 100])
      .sort((a, b) => b[1] - a[1]),
  );
}

/** A fresh organization and its admin token (`apps/ingress/dist/cli.js bootstrap`), or the given token. */
export function bootstrapOrganization(token, name, databaseUrl) {
  if (token) return { token, organizationId: null };
  const out = execFileSync(
    process.execPath,
    [path.join(ROOT, 'apps/ingress/dist/cli.js'), 'bootstrap', '--org', `${name}-${Date.now()}`],
    { encoding: 'utf8', env: { ...process.env, DATABASE_URL: databaseUrl } },
  );
  const line = out
    .trim()
    .split('\n')
    .findLast((l) => l.startsWith('{'));
  const { token: created, organizationId } = JSON.parse(line);
  return { token: created, organizationId };
}
