import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Controller,
  Inject,
  Module,
  type INestApplication,
  type INestApplicationContext,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { connect, headers as natsHeaders, type NatsConnection } from 'nats';
import {
  COMMANDS,
  DomainError,
  EntriesGetCommand,
  EntriesListCommand,
  LeadStatesListCommand,
  PoolsCreateCommand,
  PoolsGetCommand,
  PoolsUpdateCommand,
  uuidv7,
  WireNames,
  type RpcReply,
} from '@rocketlead/contracts';
import { JsonLogger, newTraceparent } from '@rocketlead/observability';
import {
  eventually,
  failure,
  startInfrastructure,
  uniqueName,
  type Infrastructure,
} from '@rocketlead/testing';
import { CommandContext, MessagingModule, RpcClient, serveCommands } from '../src';

const REPLICA = Symbol('REPLICA');
/** The NATS server's max_payload, read once connected. */
let maxPayload = 0;
const logger = new JsonLogger('rpc-test', 'error');

/** Requests held open by the test (the slow handler waits until released). */
interface Held {
  started: boolean;
  release: () => void;
  done: Promise<void>;
}
const gates = new Map<string, Held>();
function gate(id: string): Held {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  const created = { started: false, release, done };
  gates.set(id, created);
  return created;
}

interface Echo {
  name: string;
  subject: string;
  traceparent: string | null;
  replica: string;
}

// Handlers as a service developer writes them: a controller with Nest's own decorators.
@Controller()
class TestHandlers {
  constructor(@Inject(REPLICA) private readonly replica: string) {}

  @MessagePattern(COMMANDS.poolsCreate)
  echo(@Payload() command: PoolsCreateCommand, @Ctx() context: CommandContext): Echo {
    return {
      name: command.name,
      subject: context.getSubject(),
      traceparent: context.getTraceparent(),
      replica: this.replica,
    };
  }

  @MessagePattern(COMMANDS.poolsGet)
  notFound(@Payload() command: PoolsGetCommand): Promise<never> {
    return Promise.reject(new DomainError('NOT_FOUND', `Pool ${command.id} not found`));
  }

  @MessagePattern(COMMANDS.poolsUpdate)
  crash(@Payload() command: PoolsUpdateCommand): never {
    throw new TypeError(`unexpected failure for ${command.id}`);
  }

  @MessagePattern(COMMANDS.leadStatesList)
  databaseFull(@Payload() command: LeadStatesListCommand): never {
    // What node-postgres throws when Postgres has no connection left.
    throw Object.assign(new Error(`sorry, too many clients already (${command.tableId})`), { code: '53300' });
  }

  @MessagePattern(COMMANDS.entriesList)
  huge(@Payload() command: EntriesListCommand): { items: string[] } {
    return { items: ['x'.repeat(maxPayload + command.limit)] };
  }

  @MessagePattern(COMMANDS.entriesGet)
  async slow(@Payload() command: EntriesGetCommand): Promise<{ id: string; replica: string }> {
    const held = gates.get(command.id);
    if (held) {
      held.started = true;
      await held.done;
    }
    return { id: command.id, replica: this.replica };
  }
}

@Module({})
class TestModule {}

describe('command transport on @nestjs/microservices (real NATS)', () => {
  let infra: Infrastructure;
  let nc: NatsConnection;
  const namespace = uniqueName('rpc');
  const names = new WireNames(namespace);
  const closeLater: { close(): Promise<void> }[] = [];
  let caller: RpcClient;

  async function startReplica(
    ns: string,
    replica: string,
    commandConcurrency?: number,
  ): Promise<INestApplication> {
    const app = await NestFactory.create(
      {
        module: TestModule,
        imports: [
          MessagingModule.forRoot({
            serviceName: 'rpctest',
            natsUrl: infra.natsUrl,
            namespace: ns,
            commandConcurrency,
          }),
        ],
        controllers: [TestHandlers],
        providers: [{ provide: REPLICA, useValue: replica }],
      },
      new FastifyAdapter(),
      { logger },
    );
    serveCommands(app);
    await app.init();
    await app.startAllMicroservices();
    closeLater.push(app);
    return app;
  }

  async function startCaller(ns: string, rpcTimeoutMs?: number): Promise<RpcClient> {
    const context: INestApplicationContext = await NestFactory.createApplicationContext(
      {
        module: TestModule,
        imports: [
          MessagingModule.forRoot({
            serviceName: 'caller',
            natsUrl: infra.natsUrl,
            namespace: ns,
            rpcTimeoutMs,
          }),
        ],
      },
      { logger },
    );
    closeLater.push(context);
    return context.get(RpcClient);
  }

  beforeAll(async () => {
    infra = await startInfrastructure();
    nc = await connect({ servers: infra.natsUrl });
    maxPayload = nc.info!.max_payload;
    await startReplica(namespace, 'a');
    caller = await startCaller(namespace);
  }, 60_000);

  afterAll(async () => {
    for (const app of closeLater.reverse()) await app.close().catch(() => undefined);
    await nc?.close();
    await infra?.stop();
  });

  it('serves a @MessagePattern handler on the namespaced subject, with its trace context', async () => {
    const traceparent = newTraceparent();
    const h = natsHeaders();
    h.set('traceparent', traceparent);
    const subject = `${namespace}.cmd.${COMMANDS.poolsCreate}`;
    const raw = await nc.request(subject, JSON.stringify({ organizationId: uuidv7(), name: 'P' }), {
      timeout: 5_000,
      headers: h,
    });
    expect(raw.json<RpcReply<Echo>>()).toEqual({
      ok: true,
      result: { name: 'P', subject, traceparent, replica: 'a' },
    });

    const typed = await caller.request(
      COMMANDS.poolsCreate,
      { organizationId: uuidv7(), name: 'Q' },
      { traceparent },
    );
    expect(typed).toMatchObject({ name: 'Q', subject, traceparent });
  });

  it('answers a payload that breaks its class with VALIDATION_FAILED naming the fields', async () => {
    const error = await failure(caller.request(COMMANDS.poolsCreate, { organizationId: 'nope', name: '' }));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect((error.details?.errors as { field: string }[]).map((e) => e.field)).toEqual([
      'organizationId',
      'name',
    ]);
    const extra = await failure(
      caller.request(COMMANDS.poolsCreate, {
        organizationId: uuidv7(),
        name: 'P',
        color: 'red',
      } as PoolsCreateCommand),
    );
    expect(extra.details).toEqual({
      errors: [{ field: 'color', message: 'property color should not exist' }],
    });
    const notJson = await nc.request(names.command(COMMANDS.poolsCreate), '{', { timeout: 5_000 });
    expect(notJson.json<RpcReply<unknown>>()).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('delivers a DomainError thrown by a handler to the caller as that DomainError', async () => {
    const id = uuidv7();
    const error = await failure(caller.request(COMMANDS.poolsGet, { organizationId: uuidv7(), id }));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe(`Pool ${id} not found`);
  });

  it('answers an unexpected error with INTERNAL and keeps serving', async () => {
    const error = await failure(
      caller.request(COMMANDS.poolsUpdate, { organizationId: uuidv7(), id: uuidv7(), name: 'x' }),
    );
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toBe('Internal server error');
    await expect(
      caller.request(COMMANDS.poolsCreate, { organizationId: uuidv7(), name: 'after' }),
    ).resolves.toMatchObject({
      name: 'after',
    });
  });

  it('answers a database that cannot serve now with UNAVAILABLE (the caller may retry), not INTERNAL', async () => {
    const error = await failure(
      caller.request(COMMANDS.leadStatesList, { organizationId: uuidv7(), tableId: uuidv7() }),
    );
    expect(error.code).toBe('UNAVAILABLE');
  });

  it('answers a reply larger than the NATS max_payload with REPLY_TOO_LARGE and keeps serving', async () => {
    const error = await failure(caller.request(COMMANDS.entriesList, { organizationId: uuidv7(), limit: 1 }));
    expect(error.code).toBe('REPLY_TOO_LARGE');
    expect(error.details).toMatchObject({ limit: maxPayload });
    expect(error.message).toContain('The reply to leads.entries.list is');
    await expect(
      caller.request(COMMANDS.poolsCreate, { organizationId: uuidv7(), name: 'still' }),
    ).resolves.toMatchObject({
      name: 'still',
    });
  });

  it('fails with UNAVAILABLE after RPC_TIMEOUT_MS when no reply comes, and when no replica listens', async () => {
    const impatient = await startCaller(namespace, 300);
    const id = uuidv7();
    const held = gate(id);
    const startedAt = Date.now();
    const error = await failure(impatient.request(COMMANDS.entriesGet, { organizationId: uuidv7(), id }));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toBe('The leads service is unavailable, retry later');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(300);
    expect(held.started).toBe(true);
    held.release();

    const nobody = await startCaller(uniqueName('empty'), 300);
    expect(
      (await failure(nobody.request(COMMANDS.poolsGet, { organizationId: uuidv7(), id: uuidv7() }))).code,
    ).toBe('UNAVAILABLE');
  });

  it('sends its RPC_TIMEOUT_MS with every request, so the server knows how long the caller waits', async () => {
    const ns = uniqueName('hdr');
    const seen: (string | undefined)[] = [];
    const sub = nc.subscribe(new WireNames(ns).command(COMMANDS.poolsGet), {
      callback: (_, msg) => {
        seen.push(msg.headers?.get('Rl-Timeout-Ms'));
        msg.respond(JSON.stringify({ ok: true, result: null }));
      },
    });
    await nc.flush();
    const client = await startCaller(ns, 1_234);
    await client.request(COMMANDS.poolsGet, { organizationId: uuidv7(), id: uuidv7() });
    sub.unsubscribe();
    expect(seen).toEqual(['1234']);
  });

  it('executes commandConcurrency requests at once and drops, unexecuted, those whose caller gave up waiting', async () => {
    const ns = uniqueName('gate');
    await startReplica(ns, 'g', 1);
    const client = await startCaller(ns, 10_000);
    const organizationId = uuidv7();
    const ids = [uuidv7(), uuidv7(), uuidv7(), uuidv7()];
    const [first, queued1, queued2, sameTrace] = ids.map(gate) as [Held, Held, Held, Held];
    const traceparent = newTraceparent();
    const holding = client.request(COMMANDS.entriesGet, { organizationId, id: ids[0]! }, { traceparent });
    await eventually(() => first.started, { message: 'the first request holds the only slot' });

    // Part of the work that holds the slot (same trace): admitted at once, or it could wait for itself.
    const nested = client.request(COMMANDS.entriesGet, { organizationId, id: ids[3]! }, { traceparent });
    await eventually(() => sameTrace.started, { message: 'a request of the same trace started beside it' });
    sameTrace.release();
    await expect(nested).resolves.toMatchObject({ id: ids[3] });

    // Two more wait for the slot, from callers that wait 100 ms; the test gives up on them only after 1 s,
    // well past their deadlines.
    const h = natsHeaders();
    h.set('Rl-Timeout-Ms', '100');
    const subject = new WireNames(ns).command(COMMANDS.entriesGet);
    const waited = [ids[1]!, ids[2]!].map((id) =>
      nc.request(subject, JSON.stringify({ organizationId, id }), { timeout: 1_000, headers: h }).then(
        () => 'answered',
        (error: Error) => error.message,
      ),
    );
    expect(await Promise.all(waited)).toEqual(['TIMEOUT', 'TIMEOUT']);
    expect([queued1.started, queued2.started]).toEqual([false, false]);

    // The slot frees after their deadlines: they are dropped, never executed, and the server goes on.
    first.release();
    await expect(holding).resolves.toMatchObject({ id: ids[0] });
    await expect(
      client.request(COMMANDS.poolsCreate, { organizationId, name: 'next' }),
    ).resolves.toMatchObject({
      name: 'next',
    });
    expect([queued1.started, queued2.started]).toEqual([false, false]);
  });

  it('shares requests between replicas in the queue group', async () => {
    await startReplica(namespace, 'b');
    const seen = new Set<string>();
    await eventually(
      async () => {
        const replies = await Promise.all(
          Array.from({ length: 20 }, () =>
            caller.request(COMMANDS.entriesGet, { organizationId: uuidv7(), id: uuidv7() }),
          ),
        );
        for (const reply of replies) seen.add((reply as unknown as { replica: string }).replica);
        return seen.size === 2;
      },
      { timeoutMs: 10_000, message: 'both replicas answered' },
    );
    expect([...seen].sort()).toEqual(['a', 'b']);
  });

  it('on shutdown stops taking requests and finishes the one in flight', async () => {
    const ns = uniqueName('drain');
    const replica = await startReplica(ns, 'c');
    const client = await startCaller(ns, 10_000);
    const id = uuidv7();
    const held = gate(id);
    const inFlight = client.request(COMMANDS.entriesGet, { organizationId: uuidv7(), id });
    await eventually(() => held.started, { message: 'the handler started' });

    let closed = false;
    const closing = replica.close().then(() => (closed = true));
    // Once the subscription is drained, nobody serves the subject any more...
    const drainedNames = new WireNames(ns);
    await eventually(
      async () => {
        const r = await nc.request(drainedNames.command(COMMANDS.poolsGet), '{}', { timeout: 500 }).then(
          () => 'answered',
          (e: { code?: string }) => e.code,
        );
        return r === '503';
      },
      { message: 'the subscription is drained' },
    );
    // ...but the application waits for the request it already took.
    expect(closed).toBe(false);
    held.release();
    await expect(inFlight).resolves.toEqual({ id, replica: 'c' });
    await closing;
    expect(closed).toBe(true);
  });
});
