#!/usr/bin/env node
// pnpm bench:ingest — drives POST /public/ingress_webhooks/:id against the running platform at a fixed
// concurrency for a fixed time, then measures this machine's raw ceiling: the same number of clients each
// committing one entry row plus one outbox row straight into Postgres. Writes bench/results/ingest.json.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'packages/persistence/package.json'));
const { Client } = require('pg');

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.BENCH_URL ?? 'http://127.0.0.1:3000' },
    concurrency: { type: 'string', default: process.env.BENCH_CONCURRENCY ?? '32' },
    duration: { type: 'string', default: process.env.BENCH_DURATION_S ?? '30' },
    warmup: { type: 'string', default: process.env.BENCH_WARMUP_S ?? '3' },
    token: { type: 'string' },
    'skip-raw': { type: 'boolean', default: false },
  },
});
const CONCURRENCY = Number(args.concurrency);
const DURATION_MS = Number(args.duration) * 1000;
const WARMUP_MS = Number(args.warmup) * 1000;
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/rocketlead';

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function post(url, headers, body) {
  const payload = JSON.stringify(body);
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
        res.on('data', (chunk) => (data += chunk));
        res.on('end', () => resolve({ status: res.statusCode, body: data }));
      },
    );
    req.on('error', (error) => resolve({ status: 0, body: error.message }));
    req.end(payload);
  });
}

const lead = (n) => ({
  data: {
    firstName: 'Maria',
    lastName: 'Schmidt',
    email: `maria+${n}@example.com`,
    phone: '+49 30 1234567',
    interest: 'Anfängerkurs',
  },
});

function percentiles(values) {
  const sorted = Float64Array.from(values).sort();
  const at = (p) =>
    sorted.length
      ? +sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)].toFixed(2)
      : null;
  return {
    p50: at(50),
    p95: at(95),
    p99: at(99),
    max: sorted.length ? +sorted[sorted.length - 1].toFixed(2) : null,
  };
}

/** Runs `worker` in `concurrency` loops; only calls that start after the warm-up and end before the deadline count. */
async function drive(worker) {
  const latencies = [];
  const errors = {};
  let ok = 0;
  let n = 0;
  const start = performance.now();
  const measureFrom = start + WARMUP_MS;
  const deadline = measureFrom + DURATION_MS;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, client) => {
      while (performance.now() < deadline) {
        const t = performance.now();
        const outcome = await worker(n++, client);
        const end = performance.now();
        if (t < measureFrom || end > deadline) continue;
        if (outcome === true) {
          ok += 1;
          latencies.push(end - t);
        } else {
          errors[outcome] = (errors[outcome] ?? 0) + 1;
        }
      }
    }),
  );
  return { ok, latencies, errors, seconds: DURATION_MS / 1000 };
}

async function setUp() {
  const token =
    args.token ??
    JSON.parse(
      execFileSync(
        process.execPath,
        [path.join(root, 'apps/ingress/dist/cli.js'), 'bootstrap', '--org', `bench-${Date.now()}`],
        {
          encoding: 'utf8',
          env: { ...process.env, DATABASE_URL },
        },
      ),
    ).token;
  const auth = { authorization: `Bearer ${token}` };
  const call = async (pathname, body) => {
    const res = await post(new URL(pathname, args.url), auth, body);
    if (res.status !== 201) throw new Error(`${pathname}: ${res.status} ${res.body}`);
    return JSON.parse(res.body);
  };
  const pool = await call('/connect/lead_pools', { name: 'bench' });
  await call(`/connect/lead_pools/${pool.id}/lead_states`, { name: 'New', isDefault: true });
  const hook = await call('/connect/ingress_webhooks', { tableId: pool.id });
  return { webhookUrl: new URL(`/public/ingress_webhooks/${hook.id}`, args.url), webhookToken: hook.token };
}

async function httpRun() {
  const { webhookUrl, webhookToken } = await setUp();
  const headers = { 'x-rocketlead-ingress-token': webhookToken };
  return drive(async (n) => {
    const res = await post(webhookUrl, headers, lead(n));
    return res.status === 201 ? true : `status ${res.status}`;
  });
}

async function rawRun() {
  const setup = new Client({ connectionString: DATABASE_URL });
  await setup.connect();
  await setup.query('DROP SCHEMA IF EXISTS bench_raw CASCADE; CREATE SCHEMA bench_raw');
  await setup.query(`CREATE TABLE bench_raw.entries (id uuid PRIMARY KEY, organization_id uuid NOT NULL, table_id uuid NOT NULL,
    data jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
  await setup.query(
    `CREATE TABLE bench_raw.outbox (id bigserial PRIMARY KEY, event_id uuid NOT NULL, type text NOT NULL, payload jsonb NOT NULL)`,
  );
  const clients = await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      const c = new Client({ connectionString: DATABASE_URL });
      await c.connect();
      return c;
    }),
  );
  const org = randomUUID();
  const table = randomUUID();
  try {
    return await drive(async (n, i) => {
      const c = clients[i];
      const id = randomUUID();
      const data = JSON.stringify(lead(n).data);
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
        return error.message;
      }
    });
  } finally {
    await Promise.all(clients.map((c) => c.end()));
    await setup.query('DROP SCHEMA IF EXISTS bench_raw CASCADE');
    await setup.end();
  }
}

async function main() {
  console.log(
    `ingest: ${CONCURRENCY} clients, ${WARMUP_MS / 1000}s warm-up + ${DURATION_MS / 1000}s against ${args.url}`,
  );
  const h = await httpRun();
  const httpErrors = Object.values(h.errors).reduce((a, b) => a + b, 0);
  const httpResult = {
    requests: h.ok + httpErrors,
    leadsPerSecond: +(h.ok / h.seconds).toFixed(1),
    latencyMs: percentiles(h.latencies),
    errors: httpErrors,
    errorsByStatus: h.errors,
  };
  console.log('http', JSON.stringify(httpResult));
  let rawResult = null;
  if (!args['skip-raw']) {
    console.log('raw ceiling: same clients committing entry + outbox rows straight into Postgres');
    const r = await rawRun();
    rawResult = {
      commitsPerSecond: +(r.ok / r.seconds).toFixed(1),
      latencyMs: percentiles(r.latencies),
      errors: r.errors,
    };
    console.log('raw', JSON.stringify(rawResult));
  }
  const result = {
    timestamp: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      totalMemGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    },
    node: process.version,
    config: {
      concurrency: CONCURRENCY,
      durationSeconds: DURATION_MS / 1000,
      warmupSeconds: WARMUP_MS / 1000,
      url: args.url,
    },
    http: httpResult,
    rawCeiling: rawResult,
    ratio: rawResult ? +(httpResult.leadsPerSecond / rawResult.commitsPerSecond).toFixed(3) : null,
    target: { leadsPerSecond: 1000, p99Ms: 50, errors: 0 },
  };
  result.targetMet =
    httpResult.leadsPerSecond >= 1000 && (httpResult.latencyMs.p99 ?? Infinity) <= 50 && httpErrors === 0;
  mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  writeFileSync(path.join(root, 'bench/results/ingest.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  agent.destroy();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
