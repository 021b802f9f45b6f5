// What the benchmarks share: option parsing, percentiles, the CPU split by process, the organization
// bootstrap and the JSON client of the platform's HTTP APIs. Each bench/<name>.mjs keeps only its own scenario.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
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

/** Nearest-rank percentiles (ms, two decimals) of every recorded value: `points` (50, 95, 99) and the max. */
export function percentiles(values, points = [50, 95, 99]) {
  const sorted = Float64Array.from(values).sort(); // typed-array sort is numeric
  const round = (v) => Math.round(v * 100) / 100;
  const at = (p) =>
    sorted.length
      ? round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)])
      : null;
  return {
    count: sorted.length,
    ...Object.fromEntries(points.map((p) => [`p${p}`, at(p)])),
    max: sorted.length ? round(sorted[sorted.length - 1]) : null,
  };
}

export const fmt = (v, digits = 1) => (v === null || v === undefined ? '-' : v.toFixed(digits));
/** `p50 …  p95 …  p99 …  max … ms`, with whichever percentiles `l` holds. */
export const latencyLine = (l) =>
  [...Object.entries(l).filter(([key]) => /^p\d+$/.test(key)), ['max', l.max]]
    .map(([key, value]) => `${key} ${fmt(value)}`)
    .join('  ') + ' ms';

// Which process a command line belongs to, for the CPU split (everything runs on this machine).
const PROCESS_GROUPS = [
  ['automation', /apps\/automation\/dist\//],
  ['leads', /apps\/leads\/dist\//],
  ['ingress', /apps\/ingress\/dist\//],
  ['calendar', /apps\/calendar\/dist\//],
  ['delivery', /apps\/delivery\/dist\//],
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

/**
 * A JSON client of one base URL over keep-alive sockets (at most `maxSockets` at once). `call` resolves with
 * the status (0 on a network error) and the parsed body and never rejects; `must` throws unless the answer
 * has the expected status, naming the call, the answer and `hint(status, pathname)` (e.g. an API not there).
 */
export function apiClient(baseUrl, { maxSockets = 256, hint = () => '' } = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });

  function call(method, pathname, { token, body } = {}) {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve) => {
      const req = http.request(
        new URL(pathname, baseUrl),
        {
          method,
          agent,
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(payload
              ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
              : {}),
          },
        },
        (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => (data += chunk));
          res.on('end', () => {
            let parsed = data;
            try {
              parsed = data ? JSON.parse(data) : undefined;
            } catch {
              // not JSON: keep the text for the error message
            }
            resolve({ status: res.statusCode, body: parsed });
          });
          res.on('error', (error) => resolve({ status: 0, body: error.message }));
        },
      );
      req.on('error', (error) => resolve({ status: 0, body: error.message }));
      req.end(payload);
    });
  }

  async function must(expected, method, pathname, options) {
    const res = await call(method, pathname, options);
    if (res.status !== expected)
      throw new Error(
        `${method} ${pathname}: ${res.status || 'no answer'} ${JSON.stringify(res.body)}${hint(res.status, pathname)}`,
      );
    return res.body;
  }

  return { agent, call, must };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` until it holds or `timeoutMs` passed; resolves with its last value. */
export async function waitUntil(condition, timeoutMs, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(intervalMs);
  }
  return condition();
}
