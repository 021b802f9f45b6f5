#!/usr/bin/env node
// pnpm bench:timers — against the running platform (`pnpm start`): books enough appointments to hold
// 10,000 pending timers (start and end of 5,000 bookings) in bursts of 1,000 due in the same second,
// then listens to the CALENDAR stream and reports fired, lost, duplicates and lateness.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeResults } from './results.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'packages/messaging/package.json'));
const { connect, AckPolicy, DeliverPolicy, nanos } = require('nats');

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.BENCH_URL ?? 'http://127.0.0.1:3000' },
    bookings: { type: 'string', default: process.env.BENCH_BOOKINGS ?? '5000' },
    burst: { type: 'string', default: process.env.BENCH_BURST ?? '1000' },
    lead: { type: 'string', default: process.env.BENCH_LEAD_S ?? '45' },
    concurrency: { type: 'string', default: process.env.BENCH_CONCURRENCY ?? '16' },
    record: { type: 'boolean', default: false },
  },
});
const BOOKINGS = Number(args.bookings);
const BURST = Number(args.burst);
const LEAD_MS = Number(args.lead) * 1000;
const CONCURRENCY = Number(args.concurrency);
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const NAMESPACE = process.env.RL_NAMESPACE ?? '';
const STREAM = `${NAMESPACE ? `${NAMESPACE.toUpperCase().replace(/-/g, '_')}_` : ''}CALENDAR`;
const TIMED = new Set(['calendar.appointment.hasStarted', 'calendar.appointment.hasEnded']);

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function request(method, pathname, token, body) {
  const url = new URL(pathname, args.url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
        },
      },
      (res) => {
        let data = '';
        res.on('data', (chunk) => (data += chunk));
        res.on('end', () => resolve({ status: res.statusCode, body: data ? JSON.parse(data) : undefined }));
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main() {
  const { token } = JSON.parse(
    execFileSync(
      process.execPath,
      [path.join(root, 'apps/ingress/dist/cli.js'), 'bootstrap', '--org', `bench-timers-${Date.now()}`],
      {
        encoding: 'utf8',
      },
    ),
  );
  const calendar = await request('POST', '/connect/calendars', token, { name: 'bench', exclusive: false });
  if (calendar.status !== 201)
    throw new Error(`calendar: ${calendar.status} ${JSON.stringify(calendar.body)}`);

  // Burst k (0-based) falls due at t0 + 2k seconds: even bursts are starts, odd bursts the ends (+2 s).
  const t0 = Math.ceil((Date.now() + LEAD_MS) / 1000) * 1000;
  const plan = Array.from({ length: BOOKINGS }, (_, i) => {
    const group = Math.floor(i / BURST);
    const start = t0 + group * 4000;
    return { start, end: start + 2000 };
  });
  const lastDue = Math.max(...plan.map((p) => p.end));

  const nc = await connect({ servers: NATS_URL });
  const jsm = await nc.jetstreamManager();
  const info = await jsm.consumers.add(STREAM, {
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.New,
    inactive_threshold: nanos(10 * 60_000),
  });
  const consumer = await nc.jetstream().consumers.get(STREAM, info.name);
  const messages = await consumer.consume();
  const received = [];
  const reading = (async () => {
    for await (const m of messages) {
      const event = m.json();
      if (TIMED.has(event.type)) received.push({ event, at: Date.now() });
    }
  })();

  const created = new Set();
  let createErrors = 0;
  let next = 0;
  const createStarted = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < plan.length) {
        const p = plan[next++];
        const res = await request('POST', '/connect/calendar_bookings/', token, {
          calendarId: calendar.body.id,
          startDateTime: new Date(p.start).toISOString(),
          endDateTime: new Date(p.end).toISOString(),
          title: 'bench',
        });
        if (res.status === 201) created.add(res.body.id);
        else createErrors += 1;
      }
    }),
  );
  const createSeconds = (Date.now() - createStarted) / 1000;
  if (Date.now() > t0)
    console.warn(`warning: creating bookings took ${createSeconds}s, past the first burst; raise --lead`);
  console.log(
    `created ${created.size} bookings (${createErrors} errors) in ${createSeconds.toFixed(1)}s; first burst at ${new Date(t0).toISOString()}`,
  );

  const expected = created.size * 2;
  const deadline = lastDue + 30_000;
  while (Date.now() < deadline) {
    const mine = received.filter((r) => created.has(r.event.subject));
    if (mine.length >= expected && Date.now() > lastDue + 3_000) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  messages.stop();
  await reading;
  await nc.close();

  const mine = received.filter((r) => created.has(r.event.subject));
  const seen = new Map();
  for (const r of mine) {
    const k = `${r.event.subject}:${r.event.type}`;
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  const duplicates = [...seen.values()].reduce((n, c) => n + (c - 1), 0);
  const fired = seen.size;
  const firstPerTimer = new Map();
  for (const r of mine)
    firstPerTimer.set(
      `${r.event.subject}:${r.event.type}`,
      firstPerTimer.get(`${r.event.subject}:${r.event.type}`) ?? r,
    );
  const firedLateness = [...firstPerTimer.values()]
    .map((r) => Date.parse(r.event.data.firedAt) - Date.parse(r.event.data.scheduledFor))
    .sort((a, b) => a - b);
  const deliveredLateness = [...firstPerTimer.values()]
    .map((r) => r.at - Date.parse(r.event.data.scheduledFor))
    .sort((a, b) => a - b);
  const early = firedLateness.filter((ms) => ms < 0).length;

  const result = {
    timestamp: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      totalMemGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    },
    node: process.version,
    config: {
      bookings: BOOKINGS,
      timers: BOOKINGS * 2,
      burstSize: BURST,
      leadSeconds: LEAD_MS / 1000,
      createConcurrency: CONCURRENCY,
    },
    setup: { bookingsCreated: created.size, createErrors, createSeconds },
    expected,
    fired,
    lost: expected - fired,
    duplicates,
    early,
    latenessMs: {
      firedAt: {
        p50: percentile(firedLateness, 50),
        p99: percentile(firedLateness, 99),
        max: firedLateness.at(-1) ?? null,
      },
      deliveredToConsumer: {
        p50: percentile(deliveredLateness, 50),
        p99: percentile(deliveredLateness, 99),
        max: deliveredLateness.at(-1) ?? null,
      },
    },
    target: { lost: 0, duplicates: 0, p99Ms: 500, maxMs: 2000 },
  };
  result.targetMet =
    result.lost === 0 &&
    duplicates === 0 &&
    early === 0 &&
    (result.latenessMs.firedAt.p99 ?? Infinity) <= 500 &&
    (result.latenessMs.firedAt.max ?? Infinity) <= 2000;
  writeResults('timers', result, { record: args.record });
  console.log(JSON.stringify(result, null, 2));
  agent.destroy();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
