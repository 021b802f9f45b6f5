#!/usr/bin/env node
// pnpm bench:automation — against the running platform (`pnpm start`): 10 lead pools with 10 active automations
// each (100 in all), every lead matching 3 automations of its pool; leads are posted through the Connect API
// at a steady rate while a plain NATS subscription watches `table.entry.added` and `automation.run.*`. For
// every (event, automation) pair that should run it measures event time -> run started and -> run completed,
// and counts duplicates (two runs for one pair) and misses (no run by the end of the grace period).
// Prints a summary and writes bench/results/local/automation.json (with --record also the tracked
// bench/results/automation.json). Figures are measurements, not assertions.
//
//   --url          BENCH_URL          base URL of ingress                          (http://127.0.0.1:3000)
//   --rate         BENCH_RATE         leads posted per second                      (500)
//   --duration     BENCH_DURATION_S   measured seconds                             (30)
//   --warmup       BENCH_WARMUP_S     seconds at the same rate before, not timed   (3)
//   --grace        BENCH_GRACE_S      longest wait for the last runs after posting (30)
//   --pools                           lead pools                                   (10)
//   --per-pool                        active automations per pool                  (10)
//   --matching                        automations of its pool one lead matches     (3)
//   --max-in-flight                   HTTP requests in flight at once              (256)
//   --token        BENCH_TOKEN        Connect admin token; without it a fresh org is bootstrapped
//   --setup-only                      create the organization, pools and automations, print them, stop
//   --record                          also write the tracked bench/results/automation.json
//   NATS_URL, RL_NAMESPACE            where the platform's events are (a user that may subscribe events.>)
//   DATABASE_URL                      for the bootstrap (postgres://postgres@127.0.0.1:5432/rocketlead)
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeResults } from './results.mjs';
import {
  ROOT,
  apiClient,
  bootstrapOrganization,
  coresByGroup,
  cpuTicks,
  fmt,
  latencyLine,
  numberOption,
  percentiles,
  sleep,
  waitUntil,
} from './common.mjs';

// nats is a dependency of @rocketlead/messaging, not of the workspace root; wire names come from contracts.
const { connect } = createRequire(path.join(ROOT, 'packages/messaging/package.json'))('nats');
const {
  WireNames,
  TABLE_ENTRY_ADDED,
  AUTOMATION_RUN_STARTED,
  AUTOMATION_RUN_COMPLETED,
  AUTOMATION_RUN_FAILED,
} = createRequire(import.meta.url)(path.join(ROOT, 'packages/contracts'));

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.BENCH_URL ?? 'http://127.0.0.1:3000' },
    rate: { type: 'string', default: process.env.BENCH_RATE ?? '500' },
    duration: { type: 'string', default: process.env.BENCH_DURATION_S ?? '30' },
    warmup: { type: 'string', default: process.env.BENCH_WARMUP_S ?? '3' },
    grace: { type: 'string', default: process.env.BENCH_GRACE_S ?? '30' },
    pools: { type: 'string', default: '10' },
    'per-pool': { type: 'string', default: '10' },
    matching: { type: 'string', default: '3' },
    'max-in-flight': { type: 'string', default: '256' },
    token: { type: 'string', default: process.env.BENCH_TOKEN },
    'setup-only': { type: 'boolean', default: false },
    record: { type: 'boolean', default: false },
  },
});

const RATE = numberOption('rate', args.rate, { min: 1 });
const DURATION_S = numberOption('duration', args.duration, { min: 1 });
const WARMUP_S = numberOption('warmup', args.warmup);
const GRACE_S = numberOption('grace', args.grace, { min: 1 });
const POOLS = numberOption('pools', args.pools, { integer: true, min: 1 });
const PER_POOL = numberOption('per-pool', args['per-pool'], { integer: true, min: 1 });
const MATCHING = numberOption('matching', args.matching, { integer: true, min: 1 });
const MAX_IN_FLIGHT = numberOption('max-in-flight', args['max-in-flight'], { integer: true, min: 1 });
if (MATCHING > PER_POOL) {
  console.error(`--matching (${MATCHING}) cannot exceed --per-pool (${PER_POOL})`);
  process.exit(2);
}
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/rocketlead';
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const NAMESPACE = process.env.RL_NAMESPACE ?? '';
const TARGET = { p99EventToStartedMs: 100, rate: 500, duplicates: 0, missed: 0 };
// How long the first lead may take to start its runs before the bench gives up (the engine is not there).
const PROBE_TIMEOUT_MS = 30_000;
// After every expected run has finished: a little longer for late duplicates.
const SETTLE_MS = 2_000;
const RUN_ID = randomUUID();
const names = new WireNames(NAMESPACE);

const { agent, call, must } = apiClient(args.url, {
  maxSockets: MAX_IN_FLIGHT,
  hint: (status, pathname) =>
    status === 404 && pathname.startsWith('/api/v1/automations')
      ? ' (this ingress has no automations API yet)'
      : '',
});

// ---- set-up: organization, pools, automations

const segment = (i) => `s${i}`;
/** The data key automation k of a pool writes. */
const writtenKey = (k) => `bench_a${k}`;
const TABLE_SCHEMA = {
  firstName: 'string',
  email: 'string',
  segment: 'string',
  pool: 'number',
  phase: 'string',
  benchRun: 'string',
  ...Object.fromEntries(Array.from({ length: PER_POOL }, (_, k) => [writtenKey(k), 'string'])),
};
/** Segments automation k of a pool matches: `MATCHING` neighbours, so every segment is matched `MATCHING` times. */
const segmentsOf = (k) => Array.from({ length: MATCHING }, (_, j) => segment((k + j) % PER_POOL));

async function setUp(token) {
  const stamp = new Date().toISOString();
  const pools = [];
  for (let p = 0; p < POOLS; p++) {
    const pool = await must(201, 'POST', '/connect/lead_pools', {
      token,
      body: { name: `bench automation ${p} ${stamp}` },
    });
    const created = await must(201, 'POST', `/connect/lead_pools/${pool.id}/lead_states`, {
      token,
      body: { name: 'New', isDefault: true },
    });
    const qualified = await must(201, 'POST', `/connect/lead_pools/${pool.id}/lead_states`, {
      token,
      body: { name: 'Qualified' },
    });
    // The Connect API takes only keys of the pool's schema; the keys the automations write are declared up
    // front too, so the window measures runs, not the first schema extensions.
    await must(200, 'PATCH', `/connect/lead_pools/${pool.id}`, {
      token,
      body: { tableSchema: TABLE_SCHEMA },
    });
    pools.push({ id: pool.id, states: { new: created.id, qualified: qualified.id }, automations: [] });
  }
  // Created pool by pool in creation order (the order several matching automations run in).
  const automations = new Map();
  for (const [p, pool] of pools.entries()) {
    for (let k = 0; k < PER_POOL; k++) {
      const segments = segmentsOf(k);
      const automation = await must(201, 'POST', '/api/v1/automations', {
        token,
        body: {
          name: `bench p${p} a${k}`,
          trigger: { event: TABLE_ENTRY_ADDED, triggerId: pool.id, conditions: { segment: segments } },
          actions: [
            {
              type: 'update_fields',
              params: { data: { [writtenKey(k)]: '{{ entry.data.firstName }} via {{ automation.name }}' } },
            },
          ],
          status: 'active',
        },
      });
      if (automation.status !== 'active')
        throw new Error(`automation ${automation.id} is ${automation.status}`);
      pool.automations.push({ id: automation.id, segments });
      automations.set(automation.id, { pool: p, segments });
    }
  }
  return { pools, automations };
}

/** The automations a lead of pool p with segment s must start. */
const expectedFor = (pool, seg) => pool.automations.filter((a) => a.segments.includes(seg)).map((a) => a.id);

// ---- what the subscription sees

/** NATS_URL with its user and password taken out (nats.js ignores credentials written into the URL). */
function natsOptions(url) {
  const servers = [];
  let user;
  let pass;
  for (const part of url.split(',')) {
    const match = /^([a-z]+:\/\/)(?:([^:@/]*)(?::([^@/]*))?@)?(.*)$/i.exec(part.trim());
    if (!match) throw new Error('NATS_URL is not a nats:// URL');
    servers.push(`${match[1]}${match[4]}`);
    if (match[2]) user = decodeURIComponent(match[2]);
    if (match[3] !== undefined) pass = decodeURIComponent(match[3]);
  }
  return {
    servers,
    ...(user ? { user } : {}),
    ...(pass !== undefined ? { pass } : {}),
    name: 'bench-automation',
  };
}

class Observer {
  /** key `${eventId}|${automationId}` -> the pair's record */
  pairs = new Map();
  /** run events that arrived before their triggering event was seen, by pair key */
  early = new Map();
  seenEvents = new Set();
  seenRunEvents = new Set();
  entriesSeen = new Set();
  redeliveredEvents = 0;
  redeliveredRunEvents = 0;
  unexpected = [];
  failedRuns = [];

  constructor(bench) {
    this.bench = bench;
  }

  onEntryAdded(event, at) {
    const lead = event.data?.data;
    if (lead?.benchRun !== RUN_ID) return;
    if (this.seenEvents.has(event.id)) {
      this.redeliveredEvents += 1;
      return;
    }
    this.seenEvents.add(event.id);
    this.entriesSeen.add(event.data.id);
    const pool = this.bench.pools[lead.pool];
    const eventTime = Date.parse(event.time);
    for (const automationId of expectedFor(pool, lead.segment)) {
      const key = `${event.id}|${automationId}`;
      const pair = { phase: lead.phase, eventTime, eventSeenAt: at, started: new Map(), finished: new Map() };
      this.pairs.set(key, pair);
      for (const early of this.early.get(key) ?? []) this.apply(pair, early);
      this.early.delete(key);
    }
  }

  onRunEvent(event, at) {
    const data = event.data ?? {};
    if (!this.bench.automations.has(data.automationId)) return;
    if (this.seenRunEvents.has(event.id)) {
      this.redeliveredRunEvents += 1;
      return;
    }
    this.seenRunEvents.add(event.id);
    const key = `${data.triggerEventId}|${data.automationId}`;
    const run = {
      type: event.type,
      runId: data.runId,
      status: data.status,
      error: data.error,
      time: event.time,
      at,
    };
    const pair = this.pairs.get(key);
    if (pair) this.apply(pair, run);
    else this.early.set(key, [...(this.early.get(key) ?? []), run]);
  }

  apply(pair, run) {
    if (run.type === AUTOMATION_RUN_STARTED) {
      if (!pair.started.has(run.runId)) pair.started.set(run.runId, run);
    } else {
      if (!pair.finished.has(run.runId)) pair.finished.set(run.runId, run);
      if (run.type === AUTOMATION_RUN_FAILED && this.failedRuns.length < 1000) this.failedRuns.push(run);
    }
  }

  /** Pairs still waiting for a started or a finished run. */
  open() {
    let open = 0;
    for (const pair of this.pairs.values())
      if (pair.started.size === 0 || pair.finished.size === 0) open += 1;
    return open;
  }

  /** Run events of bench automations for pairs that should not have run (wrong match), by the end. */
  unmatched() {
    return [...this.early.entries()].filter(([key]) => {
      const [eventId] = key.split('|');
      return this.seenEvents.has(eventId);
    });
  }
}

// ---- sending at a steady rate

/**
 * Posts leads on a fixed schedule (lead i is due at startAt + i / rate, whatever happened to the others), at
 * most MAX_IN_FLIGHT at once; a lead that has to wait for a free slot is sent late, and that lag is reported.
 * `phaseOf(i)` labels each lead (it travels in the lead's data); the figures come back per phase.
 */
async function postLeads(bench, token, { count, phaseOf, startAt, firstIndex }) {
  const byPhase = {};
  const resultsOf = (phase) =>
    (byPhase[phase] ??= { accepted: 0, errors: {}, postLatency: [], sendLag: [], entryIds: [] });
  let inFlight = 0;
  const waiters = [];
  const pending = new Set();
  for (let i = 0; i < count; i++) {
    const due = startAt + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    while (inFlight >= MAX_IN_FLIGHT) await new Promise((resolve) => waiters.push(resolve));
    const n = firstIndex + i;
    const phase = phaseOf(i);
    const results = resultsOf(phase);
    const p = n % POOLS;
    const seg = segment(Math.floor(n / POOLS) % PER_POOL);
    const sentAt = performance.now();
    results.sendLag.push(sentAt - due);
    results.lastSentAt = sentAt;
    inFlight += 1;
    const request = call('POST', '/connect/table_entries', {
      token,
      body: {
        tableId: bench.pools[p].id,
        data: {
          firstName: 'Maria',
          email: `bench+${n}@example.com`,
          segment: seg,
          pool: p,
          phase,
          benchRun: RUN_ID,
        },
      },
    }).then((res) => {
      inFlight -= 1;
      waiters.shift()?.();
      if (res.status === 201) {
        results.accepted += 1;
        results.postLatency.push(performance.now() - sentAt);
        results.entryIds.push(res.body.id);
      } else {
        const label = res.status ? String(res.status) : 'network';
        results.errors[label] = (results.errors[label] ?? 0) + 1;
        results.firstError ??= `${label}: ${JSON.stringify(res.body).slice(0, 300)}`;
      }
    });
    pending.add(request);
    void request.finally(() => pending.delete(request));
  }
  await Promise.all(pending);
  return byPhase;
}

const redact = (url) => url.replace(/\/\/([^:@/]*):[^@/]*@/g, '//$1:[redacted]@');

async function main() {
  const cpus = os.cpus();
  const load = () => os.loadavg().map((v) => Math.round(v * 100) / 100);
  const loadBefore = load();

  const ready = await call('GET', '/health/ready');
  if (ready.status !== 200)
    throw new Error(
      `${args.url}/health/ready answered ${ready.status || 'nothing'}; start the platform first (pnpm start) or pass --url`,
    );
  const { token, organizationId } = bootstrapOrganization(args.token, 'bench-automation', DATABASE_URL);
  console.log(
    `bench:automation — ${POOLS} pools x ${PER_POOL} active automations, each lead matching ${MATCHING};` +
      ` ${RATE} leads/s for ${WARMUP_S} s warm-up + ${DURATION_S} s, ${args.url}` +
      ` (${cpus.length} CPUs, load ${loadBefore.join(' ')})`,
  );
  const setupStarted = performance.now();
  const bench = await setUp(token);
  console.log(
    `set-up: ${bench.pools.length} pools, ${bench.automations.size} automations in ${Math.round(performance.now() - setupStarted)} ms`,
  );
  if (args['setup-only']) {
    console.log(JSON.stringify({ organizationId, token, pools: bench.pools }, null, 2));
    return;
  }

  // The subscription is in place before the first lead is posted.
  const nc = await connect(natsOptions(NATS_URL));
  const observer = new Observer(bench);
  const subscribe = (subject, handle) =>
    nc.subscribe(subject, {
      callback: (error, msg) => {
        if (error) return;
        const at = Date.now();
        try {
          handle(msg.json(), at);
        } catch {
          // not an event of ours
        }
      },
    });
  subscribe(names.eventSubject(TABLE_ENTRY_ADDED), (event, at) => observer.onEntryAdded(event, at));
  subscribe(names.eventSubject('automation.run.>'), (event, at) => observer.onRunEvent(event, at));
  await nc.flush();

  try {
    // One lead first: its runs start only if the engine runs and sees the automations.
    const { probe } = await postLeads(bench, token, {
      count: 1,
      phaseOf: () => 'probe',
      startAt: performance.now(),
      firstIndex: 0,
    });
    if (probe.accepted !== 1) throw new Error(`probe lead not accepted: ${probe.firstError}`);
    const probed = await waitUntil(() => observer.pairs.size > 0 && observer.open() === 0, PROBE_TIMEOUT_MS);
    if (!probed)
      throw new Error(
        `the probe lead's ${MATCHING} runs did not start and finish within ${PROBE_TIMEOUT_MS / 1000} s ` +
          `(table.entry.added seen: ${observer.pairs.size > 0}; run events seen: ${observer.seenRunEvents.size}). ` +
          'Is automation running, and NATS_URL/RL_NAMESPACE those of the platform?',
      );

    const warmupCount = Math.round(WARMUP_S * RATE);
    const measuredCount = Math.round(DURATION_S * RATE);
    const start = performance.now() + 50;
    const measureFrom = start + WARMUP_S * 1000;
    let ticksAtWindow;
    let windowStartedAt;
    const windowTimer = setTimeout(() => {
      ticksAtWindow = cpuTicks();
      windowStartedAt = performance.now();
    }, measureFrom - performance.now());
    console.log(`posting ${warmupCount + measuredCount} leads …`);
    const posted = await postLeads(bench, token, {
      count: warmupCount + measuredCount,
      phaseOf: (i) => (i < warmupCount ? 'warmup' : 'measure'),
      startAt: start,
      firstIndex: 1,
    });
    const empty = { accepted: 0, errors: {}, postLatency: [], sendLag: [], entryIds: [] };
    const warm = posted.warmup ?? empty;
    const measured = posted.measure ?? empty;
    clearTimeout(windowTimer);
    const postedUntil = performance.now();
    const ticksAtEnd = cpuTicks();
    const windowSeconds = (postedUntil - (windowStartedAt ?? measureFrom)) / 1000;
    const measureFromWall = Date.now() - (performance.now() - measureFrom);
    const measureToWall = measureFromWall + DURATION_S * 1000;

    // Every accepted lead's event seen, and every expected pair finished, or the grace period is over.
    const accepted = [...warm.entryIds, ...measured.entryIds];
    const done = () => accepted.every((id) => observer.entriesSeen.has(id)) && observer.open() === 0;
    const finished = await waitUntil(done, GRACE_S * 1000);
    if (finished) await sleep(SETTLE_MS);

    let expected = 0;
    let started = 0;
    let completed = 0;
    let failed = 0;
    let duplicates = 0;
    let missed = 0;
    let notFinished = 0;
    let startedInWindow = 0;
    let completedInWindow = 0;
    const toStarted = [];
    const toCompleted = [];
    const toStartedStamp = [];
    for (const pair of observer.pairs.values()) {
      if (pair.phase === 'probe') continue;
      expected += 1;
      if (pair.started.size === 0) missed += 1;
      else started += 1;
      if (pair.started.size > 1) duplicates += pair.started.size - 1;
      const first = [...pair.started.values()].sort((a, b) => a.at - b.at)[0];
      const end = [...pair.finished.values()].sort((a, b) => a.at - b.at)[0];
      if (!end) notFinished += 1;
      else if (end.type === AUTOMATION_RUN_COMPLETED) completed += 1;
      else failed += 1;
      if (first && first.at >= measureFromWall && first.at < measureToWall) startedInWindow += 1;
      if (end?.type === AUTOMATION_RUN_COMPLETED && end.at >= measureFromWall && end.at < measureToWall)
        completedInWindow += 1;
      if (pair.phase !== 'measure') continue;
      if (first) {
        toStarted.push(first.at - pair.eventTime);
        toStartedStamp.push(Date.parse(first.time) - pair.eventTime);
      }
      if (end?.type === AUTOMATION_RUN_COMPLETED) toCompleted.push(end.at - pair.eventTime);
    }
    const unmatched = observer.unmatched();
    const postErrors = { ...warm.errors };
    for (const [label, n] of Object.entries(measured.errors))
      postErrors[label] = (postErrors[label] ?? 0) + n;
    const errorCount = Object.values(postErrors).reduce((a, b) => a + b, 0);

    const result = {
      timestamp: new Date().toISOString(),
      machine: {
        cpus: cpus.length,
        cpuModel: cpus[0]?.model?.trim(),
        totalMemGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
        loadAvg: { before: loadBefore, after: load() },
      },
      node: process.version,
      config: {
        url: args.url,
        nats: redact(NATS_URL),
        namespace: NAMESPACE,
        rate: RATE,
        durationSeconds: DURATION_S,
        warmupSeconds: WARMUP_S,
        graceSeconds: GRACE_S,
        pools: POOLS,
        automationsPerPool: PER_POOL,
        automations: bench.automations.size,
        matchingPerLead: MATCHING,
        maxInFlight: MAX_IN_FLIGHT,
        action: 'update_fields (one Liquid-rendered data key)',
      },
      leads: {
        posted: warmupCount + measuredCount,
        accepted: accepted.length,
        // Over the window, or longer when sending fell behind the schedule.
        postedPerSecond:
          Math.round(
            (measured.accepted /
              Math.max(DURATION_S, ((measured.lastSentAt ?? measureFrom) - measureFrom) / 1000)) *
              10,
          ) / 10,
        errors: errorCount,
        errorsByStatus: postErrors,
        firstError: measured.firstError ?? warm.firstError ?? null,
        postLatencyMs: percentiles(measured.postLatency),
        sendLagMs: percentiles(measured.sendLag),
        eventsNotSeen: accepted.filter((id) => !observer.entriesSeen.has(id)).length,
      },
      runs: {
        expected,
        started,
        completed,
        failed,
        notFinished,
        startedPerSecond: Math.round((startedInWindow / DURATION_S) * 10) / 10,
        runsPerSecond: Math.round((completedInWindow / DURATION_S) * 10) / 10,
        firstFailure: observer.failedRuns[0]?.error ?? null,
      },
      latencyMs: {
        eventToStarted: percentiles(toStarted),
        eventToCompleted: percentiles(toCompleted),
        // The run.started event's own time: the engine's share, without the relay and delivery to this client.
        eventToStartedStamp: percentiles(toStartedStamp),
      },
      duplicates,
      missed,
      unexpectedRuns: unmatched.reduce((n, [, runs]) => n + runs.length, 0),
      redelivered: { events: observer.redeliveredEvents, runEvents: observer.redeliveredRunEvents },
      settledBeforeGraceEnd: finished,
      cpuCoresByProcess: coresByGroup(ticksAtWindow, ticksAtEnd, windowSeconds),
      target: TARGET,
    };
    const misses = [];
    if (!((result.latencyMs.eventToStarted.p99 ?? Infinity) <= TARGET.p99EventToStartedMs))
      misses.push(`p99 event → started > ${TARGET.p99EventToStartedMs} ms`);
    if (RATE < TARGET.rate || result.leads.postedPerSecond < TARGET.rate * 0.98)
      misses.push(`rate < ${TARGET.rate}/s`);
    if (duplicates > TARGET.duplicates) misses.push('duplicates');
    if (missed > TARGET.missed) misses.push('missed');
    result.targetMet = misses.length === 0;
    const files = writeResults('automation', result, { record: args.record });

    console.log(
      `  leads: ${result.leads.accepted}/${result.leads.posted} accepted, ${fmt(result.leads.postedPerSecond)}/s in the window, ` +
        `errors ${errorCount}${errorCount ? ` ${JSON.stringify(postErrors)} first: ${result.leads.firstError}` : ''}, ` +
        `post ${latencyLine(result.leads.postLatencyMs)}, send lag p99 ${fmt(result.leads.sendLagMs.p99)} ms`,
    );
    console.log(
      `  runs: ${expected} expected, ${started} started, ${completed} completed, ${failed} failed, ${notFinished} unfinished; ` +
        `${fmt(result.runs.runsPerSecond)} completed/s in the window`,
    );
    console.log(`  event → run started    ${latencyLine(result.latencyMs.eventToStarted)}`);
    console.log(`  event → run completed  ${latencyLine(result.latencyMs.eventToCompleted)}`);
    console.log(
      `  duplicates ${duplicates}, missed ${missed}, unexpected runs ${result.unexpectedRuns}` +
        (observer.failedRuns.length ? `, first failure: ${result.runs.firstFailure}` : ''),
    );
    if (result.cpuCoresByProcess)
      console.log(
        `  CPU (cores): ${Object.entries(result.cpuCoresByProcess)
          .map(([group, cores]) => `${group} ${cores}`)
          .join(', ')}`,
      );
    console.log(
      `target p99 event → started ≤ ${TARGET.p99EventToStartedMs} ms at ${TARGET.rate}/s, ${TARGET.duplicates} duplicates, ` +
        `${TARGET.missed} missed: ${result.targetMet ? 'MET' : `MISSED (${misses.join(', ')})`}`,
    );
    console.log(`results: ${files.map((f) => path.relative(process.cwd(), f)).join(', ')}`);
  } finally {
    await nc.drain().catch(() => undefined);
  }
}

main()
  .catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(() => agent.destroy());
