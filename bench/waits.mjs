#!/usr/bin/env node
// pnpm bench:waits — against the running platform (`pnpm start`): one active automation
// `[wait {until: "{{ entry.data.wakeAt }}"}, branch]` on a lead pool, and --runs leads posted through the
// Connect API whose wakeAt all fall inside the same --spread seconds, --lead-in seconds from the start. Once
// every run waits, the bench waits past that window and reads from automation's tables how late each wait
// resumed (the step's finishedAt − its resumeAt), how late each run completed, and counts lost runs (never
// resumed), doubled ones (more than one run for a lead, or the step after the wait executed twice) and runs
// marked late. Prints a summary and writes bench/results/local/waits.json (--record: bench/results/waits.json).
//
//   --url          BENCH_URL         base URL of ingress                                   (http://127.0.0.1:3000)
//   --runs                           runs (leads) that wait                                (10000)
//   --spread                         seconds the wake-up times are spread over             (3)
//   --lead-in                        seconds from the start to the first wake-up           (120)
//   --concurrency                    lead posts in flight                                  (32)
//   --token        BENCH_TOKEN       Connect admin token; without it a fresh org is bootstrapped
//   --record                         also write the tracked bench/results/waits.json
//   DATABASE_URL                     the platform's database (bootstrap and the read of the results)
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeResults } from './results.mjs';
import {
  ROOT,
  apiClient,
  bootstrapOrganization,
  fmt,
  latencyLine,
  numberOption,
  percentiles,
  sleep,
} from './common.mjs';

// pg is a dependency of @rocketlead/persistence, not of the workspace root.
const { Client } = createRequire(path.join(ROOT, 'packages/persistence/package.json'))('pg');

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.BENCH_URL ?? 'http://127.0.0.1:3000' },
    runs: { type: 'string', default: '10000' },
    spread: { type: 'string', default: '3' },
    'lead-in': { type: 'string', default: '120' },
    concurrency: { type: 'string', default: '32' },
    token: { type: 'string', default: process.env.BENCH_TOKEN },
    record: { type: 'boolean', default: false },
  },
});

const RUNS = numberOption('runs', args.runs, { integer: true, min: 1 });
const SPREAD_S = numberOption('spread', args.spread);
const LEAD_IN_S = numberOption('lead-in', args['lead-in'], { min: 1 });
const CONCURRENCY = numberOption('concurrency', args.concurrency, { integer: true, min: 1 });
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/rocketlead';
const TARGET = { p99LatenessMs: 500, lost: 0, doubled: 0 };
// After the last wake-up time: how long the bench waits for every run to resume and complete.
const GRACE_MS = 60_000;

const { call, must } = apiClient(args.url, { maxSockets: CONCURRENCY });

async function setUp(token) {
  const pool = await must(201, 'POST', '/connect/lead_pools', {
    token,
    body: { name: `bench waits ${new Date().toISOString()}` },
  });
  await must(201, 'POST', `/connect/lead_pools/${pool.id}/lead_states`, {
    token,
    body: { name: 'New', isDefault: true },
  });
  await must(200, 'PATCH', `/connect/lead_pools/${pool.id}`, {
    token,
    body: { tableSchema: { email: 'string', wakeAt: 'string' } },
  });
  const automation = await must(201, 'POST', '/api/v1/automations', {
    token,
    body: {
      name: 'bench waits',
      trigger: { event: 'table.entry.added', triggerId: pool.id },
      actions: [
        { type: 'wait', params: { until: '{{ entry.data.wakeAt }}' } },
        // Evaluated in the engine only: the run completes without load on other services.
        { type: 'branch', params: { match: true } },
      ],
      status: 'active',
    },
  });
  return { poolId: pool.id, automationId: automation.id };
}

/** Posts every lead, `CONCURRENCY` at a time; the i-th wakes at `firstWake + i/RUNS * spread`. */
async function postLeads(token, poolId, firstWake) {
  let next = 0;
  let errors = 0;
  const byStatus = {};
  const worker = async () => {
    while (next < RUNS) {
      const i = next++;
      const wakeAt = new Date(firstWake + Math.floor((i / RUNS) * SPREAD_S * 1000)).toISOString();
      const res = await call('POST', '/connect/table_entries', {
        token,
        body: { tableId: poolId, data: { email: `wait${i}@bench.test`, wakeAt } },
      });
      if (res.status !== 201) {
        errors += 1;
        byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { errors, byStatus };
}

async function counts(db, automationId) {
  const { rows } = await db.query(
    `SELECT count(*) FILTER (WHERE status = 'waiting')::int AS waiting,
            count(*) FILTER (WHERE status = 'completed')::int AS completed,
            count(*)::int AS runs
     FROM automation.runs WHERE automation_id = $1`,
    [automationId],
  );
  return rows[0];
}

async function main() {
  const started = Date.now();
  const firstWake = started + LEAD_IN_S * 1000;
  const lastWake = firstWake + SPREAD_S * 1000;
  const { token } = bootstrapOrganization(args.token, 'bench-waits', DATABASE_URL);
  const { poolId, automationId } = await setUp(token);
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  try {
    console.log(
      `posting ${RUNS} leads; wake-ups from ${new Date(firstWake).toISOString()} over ${SPREAD_S} s`,
    );
    const { errors: postErrors, byStatus: postErrorsByStatus } = await postLeads(token, poolId, firstWake);
    const postedAfterS = (Date.now() - started) / 1000;
    // Every run should wait before the first wake-up; how many did is reported.
    let before = await counts(db, automationId);
    while (Date.now() < firstWake - 1_000 && before.waiting < RUNS - postErrors) {
      await sleep(500);
      before = await counts(db, automationId);
    }
    const waitingBeforeWake = before.waiting;
    console.log(`posted in ${fmt(postedAfterS)} s (${postErrors} errors); ${waitingBeforeWake} runs waiting`);
    if (Date.now() > firstWake)
      console.warn('the first wake-up passed before every lead was posted: raise --lead-in');
    let now = await counts(db, automationId);
    while (Date.now() < lastWake + GRACE_MS && now.completed < now.runs) {
      await sleep(500);
      now = await counts(db, automationId);
    }
    const { rows } = await db.query(
      `SELECT r.entry_id, r.status,
              (EXTRACT(EPOCH FROM (w.finished_at - w.resume_at)) * 1000)::float8 AS lateness_ms,
              (EXTRACT(EPOCH FROM (r.finished_at - w.resume_at)) * 1000)::float8 AS completion_ms,
              w.status AS wait_status, (w.output->>'late')::boolean AS late, n.attempts AS next_attempts
       FROM automation.runs r
       JOIN automation.run_steps w ON w.run_id = r.id AND w.index = 0
       LEFT JOIN automation.run_steps n ON n.run_id = r.id AND n.index = 1
       WHERE r.automation_id = $1`,
      [automationId],
    );
    const resumed = rows.filter((r) => r.wait_status === 'completed');
    const perEntry = new Map();
    for (const r of rows) perEntry.set(r.entry_id, (perEntry.get(r.entry_id) ?? 0) + 1);
    const doubled =
      [...perEntry.values()].filter((n) => n > 1).length +
      rows.filter((r) => (r.next_attempts ?? 0) > 1).length;
    const lateness = percentiles(
      resumed.map((r) => r.lateness_ms),
      [50, 95, 99],
    );
    const completion = percentiles(
      rows.filter((r) => r.status === 'completed').map((r) => r.completion_ms),
      [50, 95, 99],
    );
    const early = resumed.filter((r) => r.lateness_ms < 0).length;
    const result = {
      timestamp: new Date().toISOString(),
      node: process.version,
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, loadAvg: os.loadavg() },
      config: { runs: RUNS, spreadSeconds: SPREAD_S, leadInSeconds: LEAD_IN_S, concurrency: CONCURRENCY },
      posted: { seconds: postedAfterS, errors: postErrors, errorsByStatus: postErrorsByStatus },
      waitingBeforeWake,
      runs: rows.length,
      resumed: resumed.length,
      completed: rows.filter((r) => r.status === 'completed').length,
      lost: RUNS - postErrors - resumed.length,
      doubled,
      early,
      markedLate: resumed.filter((r) => r.late).length,
      resumeLatenessMs: lateness,
      completionLatenessMs: completion,
      target: TARGET,
    };
    result.targetMet =
      postErrors === 0 &&
      lateness.p99 !== null &&
      lateness.p99 <= TARGET.p99LatenessMs &&
      result.lost === 0 &&
      doubled === 0;
    console.log(`resumed ${result.resumed}/${RUNS}, lost ${result.lost}, doubled ${doubled}, early ${early}`);
    console.log(`resume lateness     ${latencyLine(lateness)}`);
    console.log(`completion lateness ${latencyLine(completion)}`);
    console.log(`target (p99 ≤ ${TARGET.p99LatenessMs} ms, 0 lost, 0 doubled) met: ${result.targetMet}`);
    for (const file of writeResults('waits', result, { record: args.record })) console.log(`wrote ${file}`);
  } finally {
    await db.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
