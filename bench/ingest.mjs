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
//   --dedupe                          the pool detects duplicates on email + phone (region DE); results go to
//                                     ingest-dedupe.json. Both modes post the same leads: every 10th repeats
//                                     the email and phone of the lead 1,000 before it (a duplicate when on).
//   --record                          also write the tracked bench/results/ingest.json
//   DATABASE_URL                      for bootstrap and the raw phase (postgres://postgres@127.0.0.1:5432/rocketlead)
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeResults } from './results.mjs';
import {
  ROOT,
  bootstrapOrganization,
  coresByGroup,
  cpuTicks,
  fmt,
  latencyLine,
  numberOption,
  percentiles,
} from './common.mjs';

// pg is a dependency of @rocketlead/persistence, not of the workspace root.
const require = createRequire(path.join(ROOT, 'packages/persistence/package.json'));
const { Client } = require('pg');

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.BENCH_URL ?? 'http://127.0.0.1:3000' },
    concurrency: { type: 'string', default: process.env.BENCH_CONCURRENCY ?? '32' },
    duration: { type: 'string', default: process.env.BENCH_DURATION_S ?? '30' },
    warmup: { type: 'string', default: process.env.BENCH_WARMUP_S ?? '3' },
    token: { type: 'string', default: process.env.BENCH_TOKEN },
    'skip-raw': { type: 'boolean', default: false },
    dedupe: { type: 'boolean', default: false },
    record: { type: 'boolean', default: false },
  },
});

const CONCURRENCY = numberOption('concurrency', args.concurrency, { integer: true, min: 1 });
const DURATION_S = numberOption('duration', args.duration, { min: 1 });
const WARMUP_S = numberOption('warmup', args.warmup);
const DURATION_MS = DURATION_S * 1000;
const WARMUP_MS = WARMUP_S * 1000;
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/rocketlead';
const TARGET = { leadsPerSecond: 2000, p99Ms: 50, errors: 0 };

// Keep-alive sockets, one per client: no connection setup inside the measured window.
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY, maxFreeSockets: CONCURRENCY });

/** Resolves with the status (0 on a network error) and the body; never rejects. */
function post(url, headers, payload) {
  return send('POST', url, headers, payload);
}

function request(method, url, headers, body) {
  return send(method, url, headers, JSON.stringify(body));
}

function send(method, url, headers, payload) {
  return new Promise((resolve) => {
    const req = http.request(
      url,
      {
        method,
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

// Every 10th lead is the contact of the lead 1,000 earlier (long committed, so no wait on an in-flight
// claim); phone numbers are unique per contact, written nationally, as people type them.
const leadData = (n) => {
  const contact = n >= 1000 && n % 10 === 0 ? n - 1000 : n;
  return {
    firstName: 'Maria',
    lastName: 'Schmidt',
    email: `maria+${contact}@example.com`,
    phone: `030 ${String(1_000_000 + contact).padStart(8, '0')}`,
    interest: 'Anfängerkurs',
  };
};

/** Nearest-rank percentiles over every recorded latency, in ms. */

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
    ticksAtWindow = cpuTicks();
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
  const ticksAtEnd = cpuTicks();
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
    cpuCoresByProcess: coresByGroup(ticksAtWindow, ticksAtEnd, (performance.now() - measureFrom) / 1000),
  };
}

async function setUp() {
  const ready = await get(new URL('/health/ready', args.url));
  if (ready !== 200) {
    throw new Error(
      `${args.url}/health/ready answered ${ready || 'nothing'}; start the platform first (pnpm start) or pass --url`,
    );
  }
  const auth = { authorization: `Bearer ${bootstrapOrganization(args.token, 'bench', DATABASE_URL).token}` };
  const call = async (pathname, body) => {
    const res = await post(new URL(pathname, args.url), auth, JSON.stringify(body));
    if (res.status !== 201) throw new Error(`POST ${pathname}: ${res.status} ${res.body}`);
    return JSON.parse(res.body);
  };
  const pool = await call('/connect/lead_pools', { name: `bench ${new Date().toISOString()}` });
  await call(`/connect/lead_pools/${pool.id}/lead_states`, { name: 'New', isDefault: true });
  if (args.dedupe) {
    const res = await request('PATCH', new URL(`/connect/lead_pools/${pool.id}`, args.url), auth, {
      dedupe: { keys: ['email', 'phone'], phoneRegion: 'DE' },
    });
    if (res.status !== 200) throw new Error(`PATCH /connect/lead_pools/:id: ${res.status} ${res.body}`);
  }
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

async function main() {
  const cpus = os.cpus();
  const load = () => os.loadavg().map((v) => Math.round(v * 100) / 100);
  const loadBefore = load();
  console.log(
    `bench:ingest${args.dedupe ? ' (dedupe on)' : ''} — ${CONCURRENCY} clients, ${WARMUP_S} s warm-up + ${DURATION_S} s per phase, ${args.url}` +
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
    `  ${fmt(httpResult.leadsPerSecond)} leads/s  ${latencyLine(httpResult.latencyMs)}  errors ${httpResult.errors}` +
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
      `  ${fmt(rawResult.commitsPerSecond)} commits/s  ${latencyLine(rawResult.latencyMs)}  errors ${rawResult.errors}`,
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
    config: {
      concurrency: CONCURRENCY,
      durationSeconds: DURATION_S,
      warmupSeconds: WARMUP_S,
      url: args.url,
      dedupe: args.dedupe ? { keys: ['email', 'phone'], phoneRegion: 'DE', duplicateShare: 0.1 } : null,
    },
    http: httpResult,
    rawCeiling: rawResult,
    ratio,
    target: TARGET,
    targetMet: misses.length === 0,
  };
  const files = writeResults(args.dedupe ? 'ingest-dedupe' : 'ingest', result, { record: args.record });

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
