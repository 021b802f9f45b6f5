#!/usr/bin/env node
// pnpm bench:ingest — drives POST /public/ingress_webhooks/:id against the running platform (`pnpm start`)
// at a fixed concurrency for a fixed time, then measures this machine's raw ceiling: the same number of
// clients, one Postgres connection each, committing one entry row plus one outbox row per transaction.
// Prints a summary and writes bench/results/local/ingest.json (with --record also the tracked
// bench/results/ingest.json). Figures are measurements, not assertions.
//
//   --url          BENCH_URL          base URL of ingress            (http://127.0.0.1:3000)
//   --concurrency  BENCH_CONCURRENCY  clients, HTTP and raw          (32)
//   --duration     BENCH_DURATION_S   measured seconds, each phase   (30)
//   --warmup       BENCH_WARMUP_S     unmeasured seconds before it   (3)
//   --token        BENCH_TOKEN        Connect admin token; without it a fresh org is bootstrapped
//   --skip-raw                        HTTP phase only
//   --record                          also write the tracked bench/results/ingest.json
//   DATABASE_URL                      for bootstrap and the raw phase (postgres://postgres@127.0.0.1:5432/rocketlead)
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeResults } from './results.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// pg is a dependency of @rocketlead/persistence, not of the workspace root.
const require = createRequire(path.join(root, 'packages/persistence/package.json'));
const { Client } = require('pg');

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.BENCH_URL ?? 'http://127.0.0.1:3000' },
    concurrency: { type: 'string', default: process.env.BENCH_CONCURRENCY ?? '32' },
    duration: { type: 'string', default: process.env.BENCH_DURATION_S ?? '30' },
    warmup: { type: 'string', default: process.env.BENCH_WARMUP_S ?? '3' },
    token: { type: 'string', default: process.env.BENCH_TOKEN },
    'skip-raw': { type: 'boolean', default: false },
    record: { type: 'boolean', default: false },
  },
});

function number(name, raw, { integer = false, min = 0 } = {}) {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    console.error(
      `--${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${JSON.stringify(raw)}`,
    );
    process.exit(2);
  }
  return value;
}

const CONCURRENCY = number('concurrency', args.concurrency, { integer: true, min: 1 });
const DURATION_S = number('duration', args.duration, { min: 1 });
const WARMUP_S = number('warmup', args.warmup);
const DURATION_MS = DURATION_S * 1000;
const WARMUP_MS = WARMUP_S * 1000;
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/rocketlead';
const TARGET = { leadsPerSecond: 2000, p99Ms: 50, errors: 0 };

// Keep-alive sockets, one per client: no connection setup inside the measured window.
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY, maxFreeSockets: CONCURRENCY });

/** Resolves with the status (0 on a network error) and the body; never rejects. */
function post(url, headers, payload) {
  return new Promise((resolve) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...headers,
        },
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (data += chunk));
        res.on('end', () => resolve({ status: res.statusCode, body: data }));
        res.on('error', (error) => resolve({ status: 0, body: error.message }));
      },
    );
    req.on('error', (error) => resolve({ status: 0, body: error.message }));
    req.end(payload);
  });
}

function get(url) {
  return new Promise((resolve) => {
    http
      .get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      })
      .on('error', () => resolve(0));
  });
}

const leadData = (n) => ({
  firstName: 'Maria',
  lastName: 'Schmidt',
  email: `maria+${n}@example.com`,
  phone: '+49 30 1234567',
  interest: 'Anfängerkurs',
});

/** Nearest-rank percentiles over every recorded latency, in ms. */
function percentiles(values) {
  const sorted = Float64Array.from(values).sort(); // typed-array sort is numeric
  const round = (v) => Math.round(v * 100) / 100;
  const at = (p) =>
    sorted.length
      ? round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)])
      : null;
  return {
    p50: at(50),
    p95: at(95),
    p99: at(99),
    max: sorted.length ? round(sorted[sorted.length - 1]) : null,
  };
}

// Which process a command line belongs to, for the CPU split (everything runs on this machine).
const PROCESS_GROUPS = [
  ['leads', /apps\/leads\/dist\//],
  ['ingress', /apps\/ingress\/dist\//],
  ['calendar', /apps\/calendar\/dist\//],
  ['postgres', /^postgres/],
  ['nats-server', /nats-server/],
];
const CLOCK_TICKS = 100; // USER_HZ on Linux

/** CPU ticks (user + system) per process group, from /proc; null where /proc is not there. */
function cpuTicksByProcess() {
  let pids;
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  const ticks = {};
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const used = Number(fields[11]) + Number(fields[12]);
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const group =
        pid === String(process.pid)
          ? 'bench-client'
          : (PROCESS_GROUPS.find(([, pattern]) => pattern.test(cmdline))?.[0] ?? 'other');
      ticks[`${group}\t${pid}`] = used;
    } catch {
      // The process ended meanwhile.
    }
  }
  return ticks;
}

/** Cores each process group used between two samples (processes present in both). */
function cpuSplit(before, after, seconds) {
  if (!before || !after) return null;
  const cores = {};
  for (const [key, used] of Object.entries(after)) {
    if (before[key] === undefined) continue;
    const group = key.split('\t')[0];
    cores[group] = (cores[group] ?? 0) + (used - before[key]) / CLOCK_TICKS / seconds;
  }
  const rounded = Object.entries(cores)
    .map(([group, value]) => [group, Math.round(value * 100) / 100])
    .sort((a, b) => b[1] - a[1]);
  return Object.fromEntries(rounded);
}

/**
 * Runs `worker(n, client)` in `CONCURRENCY` closed loops for the warm-up plus the measured window. A call
 * counts when it completes inside the window (throughput = completions in the window ÷ its length), and
 * its latency is recorded then. `worker` resolves `true` on success, otherwise an error label.
 */
async function drive(worker) {
  const latencies = [];
  const errors = {};
  let ok = 0;
  let n = 0;
  const start = performance.now();
  const measureFrom = start + WARMUP_MS;
  const deadline = measureFrom + DURATION_MS;
  const cpuBefore = process.cpuUsage();
  let cpuAtWindow;
  let ticksAtWindow;
  const windowTimer = setTimeout(() => {
    cpuAtWindow = process.cpuUsage();
    ticksAtWindow = cpuTicksByProcess();
  }, WARMUP_MS);
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, client) => {
      while (performance.now() < deadline) {
        const t = performance.now();
        const outcome = await worker(n++, client);
        const end = performance.now();
        if (end < measureFrom || end > deadline) continue;
        if (outcome === true) {
          ok += 1;
          latencies.push(end - t);
        } else {
          errors[outcome] = (errors[outcome] ?? 0) + 1;
        }
      }
    }),
  );
  clearTimeout(windowTimer);
  const ticksAtEnd = cpuTicksByProcess();
  const cpu = process.cpuUsage(cpuAtWindow ?? cpuBefore);
  return {
    ok,
    latencies,
    errors,
    failed: Object.values(errors).reduce((a, b) => a + b, 0),
    seconds: DURATION_S,
    // CPU this bench process spent during the window (user + system), as a share of one core.
    clientCpuCores: Math.round(((cpu.user + cpu.system) / 1000 / DURATION_MS) * 100) / 100,
    // Cores used by every process on the machine during the window, grouped (Linux /proc; null elsewhere).
    cpuCoresByProcess: cpuSplit(ticksAtWindow, ticksAtEnd, (performance.now() - measureFrom) / 1000),
  };
}

function bootstrapToken() {
  if (args.token) return args.token;
  const out = execFileSync(
    process.execPath,
    [path.join(root, 'apps/ingress/dist/cli.js'), 'bootstrap', '--org', `bench-${Date.now()}`],
    { encoding: 'utf8', env: { ...process.env, DATABASE_URL } },
  );
  const line = out
    .trim()
    .split('\n')
    .findLast((l) => l.startsWith('{'));
  return JSON.parse(line).token;
}

async function setUp() {
  const ready = await get(new URL('/health/ready', args.url));
  if (ready !== 200) {
    throw new Error(
      `${args.url}/health/ready answered ${ready || 'nothing'}; start the platform first (pnpm start) or pass --url`,
    );
  }
  const auth = { authorization: `Bearer ${bootstrapToken()}` };
  const call = async (pathname, body) => {
    const res = await post(new URL(pathname, args.url), auth, JSON.stringify(body));
    if (res.status !== 201) throw new Error(`POST ${pathname}: ${res.status} ${res.body}`);
    return JSON.parse(res.body);
  };
  const pool = await call('/connect/lead_pools', { name: `bench ${new Date().toISOString()}` });
  await call(`/connect/lead_pools/${pool.id}/lead_states`, { name: 'New', isDefault: true });
  const hook = await call('/connect/ingress_webhooks', { tableId: pool.id });
  return { webhookUrl: new URL(`/public/ingress_webhooks/${hook.id}`, args.url), webhookToken: hook.token };
}

async function httpRun() {
  const { webhookUrl, webhookToken } = await setUp();
  const headers = { 'x-rocketlead-ingress-token': webhookToken };
  let firstFailure;
  const result = await drive(async (n) => {
    const res = await post(webhookUrl, headers, JSON.stringify({ data: leadData(n) }));
    if (res.status === 201) return true;
    firstFailure ??= `${res.status || 'network'}: ${res.body.slice(0, 300)}`;
    return res.status ? String(res.status) : 'network';
  });
  return { ...result, firstFailure };
}

async function rawRun() {
  const setup = new Client({ connectionString: DATABASE_URL });
  await setup.connect();
  await setup.query('DROP SCHEMA IF EXISTS bench_raw CASCADE; CREATE SCHEMA bench_raw');
  await setup.query(`CREATE TABLE bench_raw.entries (id uuid PRIMARY KEY, organization_id uuid NOT NULL,
    table_id uuid NOT NULL, data jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
  await setup.query(`CREATE TABLE bench_raw.outbox (id bigserial PRIMARY KEY, event_id uuid NOT NULL,
    type text NOT NULL, payload jsonb NOT NULL)`);
  const clients = [];
  try {
    for (let i = 0; i < CONCURRENCY; i++) {
      const c = new Client({ connectionString: DATABASE_URL });
      await c.connect();
      clients.push(c);
    }
    const org = randomUUID();
    const table = randomUUID();
    return await drive(async (n, i) => {
      const c = clients[i];
      const id = randomUUID();
      const data = JSON.stringify(leadData(n)); // the same bytes an HTTP body carries as `data`
      try {
        await c.query('BEGIN');
        await c.query(
          'INSERT INTO bench_raw.entries (id, organization_id, table_id, data) VALUES ($1, $2, $3, $4)',
          [id, org, table, data],
        );
        await c.query('INSERT INTO bench_raw.outbox (event_id, type, payload) VALUES ($1, $2, $3)', [
          randomUUID(),
          'table.entry.added',
          data,
        ]);
        await c.query('COMMIT');
        return true;
      } catch (error) {
        await c.query('ROLLBACK').catch(() => undefined);
        return error.code ?? error.message;
      }
    });
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await setup.query('DROP SCHEMA IF EXISTS bench_raw CASCADE');
    await setup.end();
  }
}

const fmt = (v, digits = 1) => (v === null || v === undefined ? '-' : v.toFixed(digits));
const lat = (l) => `p50 ${fmt(l.p50)}  p95 ${fmt(l.p95)}  p99 ${fmt(l.p99)}  max ${fmt(l.max)} ms`;

async function main() {
  const cpus = os.cpus();
  const load = () => os.loadavg().map((v) => Math.round(v * 100) / 100);
  const loadBefore = load();
  console.log(
    `bench:ingest — ${CONCURRENCY} clients, ${WARMUP_S} s warm-up + ${DURATION_S} s per phase, ${args.url}` +
      ` (${cpus.length} CPUs, load ${loadBefore.join(' ')})`,
  );

  console.log('HTTP: POST /public/ingress_webhooks/:id …');
  const h = await httpRun();
  const httpResult = {
    requests: h.ok + h.failed,
    leadsPerSecond: Math.round((h.ok / h.seconds) * 10) / 10,
    latencyMs: percentiles(h.latencies),
    errors: h.failed,
    errorsByStatus: h.errors,
    clientCpuCores: h.clientCpuCores,
    cpuCoresByProcess: h.cpuCoresByProcess,
  };
  console.log(
    `  ${fmt(httpResult.leadsPerSecond)} leads/s  ${lat(httpResult.latencyMs)}  errors ${httpResult.errors}` +
      (httpResult.errors ? ` ${JSON.stringify(h.errors)}\n  first failure: ${h.firstFailure}` : ''),
  );
  if (h.cpuCoresByProcess)
    console.log(
      `  CPU (cores): ${Object.entries(h.cpuCoresByProcess)
        .map(([group, cores]) => `${group} ${cores}`)
        .join(', ')}`,
    );
  const loadAfterHttp = load();

  let rawResult = null;
  if (!args['skip-raw']) {
    console.log('raw ceiling: BEGIN; INSERT entry; INSERT outbox; COMMIT straight into Postgres …');
    const r = await rawRun();
    rawResult = {
      commits: r.ok,
      commitsPerSecond: Math.round((r.ok / r.seconds) * 10) / 10,
      latencyMs: percentiles(r.latencies),
      errors: r.failed,
      errorsByCode: r.errors,
      clientCpuCores: r.clientCpuCores,
      cpuCoresByProcess: r.cpuCoresByProcess,
    };
    console.log(
      `  ${fmt(rawResult.commitsPerSecond)} commits/s  ${lat(rawResult.latencyMs)}  errors ${rawResult.errors}`,
    );
  }

  const ratio = rawResult?.commitsPerSecond
    ? Math.round((httpResult.leadsPerSecond / rawResult.commitsPerSecond) * 1000) / 1000
    : null;
  const misses = [];
  if (!(httpResult.leadsPerSecond >= TARGET.leadsPerSecond))
    misses.push(`leads/s < ${TARGET.leadsPerSecond}`);
  if (!((httpResult.latencyMs.p99 ?? Infinity) <= TARGET.p99Ms)) misses.push(`p99 > ${TARGET.p99Ms} ms`);
  if (httpResult.errors > TARGET.errors) misses.push('errors');

  const result = {
    timestamp: new Date().toISOString(),
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model?.trim(),
      totalMemGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      loadAvg: { before: loadBefore, afterHttp: loadAfterHttp, after: load() },
    },
    node: process.version,
    config: { concurrency: CONCURRENCY, durationSeconds: DURATION_S, warmupSeconds: WARMUP_S, url: args.url },
    http: httpResult,
    rawCeiling: rawResult,
    ratio,
    target: TARGET,
    targetMet: misses.length === 0,
  };
  const files = writeResults('ingest', result, { record: args.record });

  if (ratio !== null) console.log(`ratio HTTP ÷ raw: ${ratio}`);
  console.log(
    `target ≥ ${TARGET.leadsPerSecond} leads/s, p99 ≤ ${TARGET.p99Ms} ms, ${TARGET.errors} errors: ` +
      (result.targetMet ? 'MET' : `MISSED (${misses.join(', ')})`),
  );
  console.log(`results: ${files.map((f) => path.relative(process.cwd(), f)).join(', ')}`);
  agent.destroy();
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  agent.destroy();
  process.exit(1);
});
