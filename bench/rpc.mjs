#!/usr/bin/env node
// pnpm bench:rpc — request/reply cost of the command transport (docs/decisions.md, "Commands on
// @nestjs/microservices"). One process, one local NATS server, the same handler and payload for every variant:
//
//   raw     nats.js request/reply by hand: JSON, class-validator check, JSON reply (what the previous
//           hand-made RpcServer/RpcClient did)
//   custom  @MessagePattern controller served by CommandTransportServer, called through RpcClient
//           (CommandClientProxy, firstValueFrom) — what the services use
//   nest    the same controller over Nest's built-in NATS transport (ServerNats + ClientNats)
//
// Each variant runs N sequential requests, then N requests with C in flight at once; the variants take turns
// for R rounds (so background load hits them alike) and the median round is reported. Prints a table and
// writes bench/results/local/rpc.json (with --record also the tracked bench/results/rpc.json). Figures are
// measurements of this machine, not assertions.
//
//   --requests     BENCH_REQUESTS     requests per phase              (4000)
//   --concurrency  BENCH_CONCURRENCY  in flight in the concurrent phase (32)
//   --rounds       BENCH_ROUNDS       rounds of every variant          (3)
//   --only         BENCH_ONLY         e.g. custom,nest                 (all)
//   --record                          also write bench/results/rpc.json
//   NATS_URL                          nats://127.0.0.1:4222
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeResults } from './results.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The Nest packages, nats and the workspace packages are dependencies of a service, not of the root.
const require = createRequire(path.join(root, 'apps/leads/package.json'));
require('reflect-metadata');
const { Controller, Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { FastifyAdapter } = require('@nestjs/platform-fastify');
const micro = require('@nestjs/microservices');
const { connect, headers: natsHeaders } = require('nats');
const contracts = require('@rocketlead/contracts');
const messaging = require('@rocketlead/messaging');
const { JsonLogger, newTraceparent } = require('@rocketlead/observability');

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: process.env.BENCH_REQUESTS ?? '4000' },
    concurrency: { type: 'string', default: process.env.BENCH_CONCURRENCY ?? '32' },
    rounds: { type: 'string', default: process.env.BENCH_ROUNDS ?? '3' },
    only: { type: 'string', default: process.env.BENCH_ONLY },
    record: { type: 'boolean', default: false },
  },
});
function positiveInt(name, raw) {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name} must be a positive integer, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
}
const N = positiveInt('requests', args.requests);
const C = positiveInt('concurrency', args.concurrency);
const R = positiveInt('rounds', args.rounds);
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const NAMESPACE = `bench-rpc-${process.pid}`;
const { COMMANDS, EntriesCreateCommand, validateMessage, WireNames } = contracts;

// A webhook-sized entries.create command: what ingress sends leads on the hot path.
const payload = {
  actor: {
    organizationId: contracts.uuidv7(),
    channel: 'ingress_webhook',
    apiTokenId: null,
    memberId: null,
    correlationId: 'bench',
    traceparent: null,
  },
  tableId: contracts.uuidv7(),
  data: { email: 'lead@example.com', name: 'Ada Lovelace', age: 36, optedIn: true, tags: ['web', 'bench'] },
  schemaMode: 'infer',
};

// The controller, decorated by hand (plain JavaScript has no decorator syntax here).
class BenchHandlers {
  create(command) {
    return { id: contracts.uuidv7(), tableId: command.tableId, data: command.data };
  }
}
Controller()(BenchHandlers);
const descriptor = Object.getOwnPropertyDescriptor(BenchHandlers.prototype, 'create');
Reflect.defineMetadata('design:paramtypes', [EntriesCreateCommand], BenchHandlers.prototype, 'create');
micro.Payload()(BenchHandlers.prototype, 'create', 0);
micro.MessagePattern(COMMANDS.entriesCreate)(BenchHandlers.prototype, 'create', descriptor);
class BenchModule {}
Module({})(BenchModule);

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function measure(call) {
  // A server's subscription may reach NATS a moment after it reports listening: wait for the first reply.
  for (let attempt = 0; ; attempt++) {
    try {
      await call();
      break;
    } catch (error) {
      if (attempt > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  for (let i = 0; i < 200; i++) await call(); // warm-up, not counted
  const phases = {};
  for (const [phase, inFlight] of [
    ['sequential', 1],
    ['concurrent', C],
  ]) {
    const latencies = [];
    let next = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < N) {
          next++;
          const t0 = process.hrtime.bigint();
          await call();
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    latencies.sort((a, b) => a - b);
    phases[phase] = {
      inFlight,
      requests: latencies.length,
      perSecond: Math.round(latencies.length / seconds),
      p50Ms: +percentile(latencies, 50).toFixed(3),
      p99Ms: +percentile(latencies, 99).toFixed(3),
    };
  }
  return phases;
}

async function raw() {
  const names = new WireNames(NAMESPACE);
  const server = await connect({ servers: NATS_URL, noAsyncTraces: true });
  const client = await connect({ servers: NATS_URL, noAsyncTraces: true });
  const subject = names.command(COMMANDS.entriesCreate);
  const handlers = new BenchHandlers();
  server.subscribe(subject, {
    queue: 'bench',
    callback: (_, msg) => {
      const request = msg.json();
      const errors = validateMessage(EntriesCreateCommand, request);
      const reply = errors.length
        ? {
            ok: false,
            error: { code: 'VALIDATION_FAILED', message: 'Validation failed', details: { errors } },
          }
        : { ok: true, result: handlers.create(request) };
      msg.respond(JSON.stringify(reply));
    },
  });
  await server.flush();
  const body = JSON.stringify(payload);
  const result = await measure(async () => {
    const h = natsHeaders();
    h.set('traceparent', newTraceparent());
    const reply = (await client.request(subject, body, { timeout: 10_000, headers: h })).json();
    if (!reply.ok) throw new Error(JSON.stringify(reply.error));
  });
  await server.drain();
  await client.drain();
  return result;
}

async function custom() {
  const logger = new JsonLogger('bench', 'error');
  const messagingModule = (serviceName) =>
    messaging.MessagingModule.forRoot({ serviceName, natsUrl: NATS_URL, namespace: NAMESPACE });
  const app = await NestFactory.create(
    { module: BenchModule, imports: [messagingModule('bench')], controllers: [BenchHandlers] },
    new FastifyAdapter(),
    { logger },
  );
  messaging.serveCommands(app);
  await app.init();
  await app.startAllMicroservices();
  const caller = await NestFactory.createApplicationContext(
    { module: BenchModule, imports: [messagingModule('bench-caller')] },
    { logger },
  );
  const rpc = caller.get(messaging.RpcClient);
  const result = await measure(() =>
    rpc.request(COMMANDS.entriesCreate, payload, { traceparent: newTraceparent() }),
  );
  await caller.close();
  await app.close();
  return result;
}

async function nest() {
  const logger = new JsonLogger('bench', 'error');
  const app = await NestFactory.create(
    { module: BenchModule, controllers: [BenchHandlers] },
    new FastifyAdapter(),
    { logger },
  );
  const microservice = app.connectMicroservice(
    { transport: micro.Transport.NATS, options: { servers: [NATS_URL], queue: 'bench' } },
    { deferInitialization: true },
  );
  // The same payload validation and error pass-through as the custom transport, for a like-for-like handler.
  microservice.useGlobalPipes(new messaging.PayloadValidationPipe());
  microservice.useGlobalFilters(new messaging.CommandErrorFilter());
  microservice.setIsInitHookCalled(true);
  await app.init();
  await app.startAllMicroservices();
  const client = micro.ClientProxyFactory.create({
    transport: micro.Transport.NATS,
    options: { servers: [NATS_URL] },
  });
  await client.connect();
  const { firstValueFrom } = require('rxjs');
  const result = await measure(() => {
    const h = natsHeaders();
    h.set('traceparent', newTraceparent());
    const record = new micro.NatsRecordBuilder(payload).setHeaders(h).build();
    return firstValueFrom(client.send(COMMANDS.entriesCreate, record));
  });
  await client.close();
  await app.close();
  return result;
}

const variants = Object.fromEntries(
  Object.entries({ raw, custom, nest }).filter(([name]) => !args.only || args.only.split(',').includes(name)),
);
const rounds = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
for (let round = 0; round < R; round++) {
  const order = Object.keys(variants);
  for (let i = 0; i < round % order.length; i++) order.push(order.shift());
  for (const name of order) rounds[name].push(await variants[name]());
}
/** Per phase, the round with the median throughput. */
const median = (runs, phase) =>
  [...runs].sort((a, b) => a[phase].perSecond - b[phase].perSecond)[Math.floor(runs.length / 2)][phase];
const results = Object.fromEntries(
  Object.entries(rounds).map(([name, runs]) => [
    name,
    { sequential: median(runs, 'sequential'), concurrent: median(runs, 'concurrent') },
  ]),
);
const summary = {
  benchmark: 'rpc',
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version },
  requests: N,
  concurrency: C,
  rounds: R,
  loadAverage: os.loadavg(),
  results,
  allRounds: rounds,
};
console.log(
  `request/reply, ${N} requests per phase, ${C} in flight when concurrent (${os.cpus().length} CPUs)`,
);
console.log('variant   phase        req/s    p50 ms   p99 ms');
for (const [variant, phases] of Object.entries(results)) {
  for (const [phase, r] of Object.entries(phases)) {
    console.log(
      `${variant.padEnd(9)} ${phase.padEnd(11)} ${String(r.perSecond).padStart(7)} ${r.p50Ms.toFixed(3).padStart(9)} ${r.p99Ms.toFixed(3).padStart(8)}`,
    );
  }
}
for (const file of writeResults('rpc', summary, { record: args.record }))
  console.log(`wrote ${path.relative(root, file)}`);
process.exit(0);
