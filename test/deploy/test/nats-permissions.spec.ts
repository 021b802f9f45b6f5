// deploy/nats-server.conf on a real nats-server (private, loopback, temp dir): each service connects as its
// own user and does what its code does on NATS (requests to the services it calls, answered by their
// owners; its migration's stream setup; its events), and each consumer its work (automation's and delivery's
// durable pull consumers, made as their code makes them: pull, ack, dead letters). Then what the file must
// refuse is tried too: the server's permissions violation for that very subject is the proof, not a timeout.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  AckPolicy,
  connect,
  DeliverPolicy,
  Events,
  nanos,
  type JetStreamManager,
  type NatsConnection,
} from 'nats';
import { STREAMS, type StreamKey } from '@rocketlead/contracts';
import { ensureStreams } from '@rocketlead/messaging';
import {
  ConfiguredNats,
  eventually,
  natsServerBinAvailable,
  REPO_ROOT,
  withContext,
} from '@rocketlead/testing';
import { map, parseNatsConf, readRepoFile, seq, type NatsConfMap } from './deploy-files';
import {
  NATS_CONF,
  SERVICES,
  calleesOf,
  commandsOf,
  commandsSent,
  concrete,
  consumerSubjects,
  consumersOf,
  ensuredStreams,
  eventStreamsOf,
  names,
} from './service-nats';

// Every user of the file with a password of this run: nats-server refuses to start while one is missing.
const users = seq(map(parseNatsConf(readRepoFile(NATS_CONF), NATS_CONF).authorization).users).map(
  (u) => u as NatsConfMap,
);
const passwords = new Map<string, { variable: string; password: string }>();
for (const user of users) {
  const variable = /^\$(\w+)$/.exec(typeof user.password === 'string' ? user.password : '')?.[1];
  if (typeof user.user === 'string' && variable)
    passwords.set(user.user, { variable, password: `${user.user}-${randomUUID()}` });
}

interface Violation {
  operation: string;
  subject: string;
}

/** A connection as one user, with every permissions violation the server reported to it. */
interface Client {
  nc: NatsConnection;
  violations: Violation[];
}

const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

/** A durable pull consumer as EventConsumer makes it: explicit acks, no delivery limit, its filter if any. */
const durableConfig = (durable: string, filter?: string) => ({
  durable_name: durable,
  ack_policy: AckPolicy.Explicit,
  deliver_policy: DeliverPolicy.All,
  ack_wait: nanos(30_000),
  max_deliver: -1,
  ...(filter ? { filter_subject: filter } : {}),
});

/** An event type of each subject of a stream, for test messages: `events.table.>` -> `table.x`. */
const eventTypesIn = (key: StreamKey): string[] =>
  names.stream(key).subjects.map((subject) => names.eventTypeOf(concrete(subject)) ?? '');
const eventTypeIn = (key: StreamKey): string => eventTypesIn(key)[0] ?? '';

/** The service whose events a stream holds (it publishes them from its outbox). */
const ownerOf = (key: StreamKey): string | undefined =>
  SERVICES.find((service) => eventStreamsOf(service).includes(key));

/** Services that read with durable consumers. */
const CONSUMING = SERVICES.filter((service) => consumersOf(service).length > 0);

(natsServerBinAvailable() ? describe : describe.skip)(`${NATS_CONF} on a nats-server`, () => {
  let server: ConfiguredNats;
  const clients = new Map<string, Client>();
  const as = (user: string): Client => {
    const client = clients.get(user);
    if (!client) throw new Error(`not connected as ${user}`);
    return client;
  };
  let admin: JetStreamManager;

  beforeAll(async () => {
    server = await ConfiguredNats.start({
      configFile: `${REPO_ROOT}/${NATS_CONF}`,
      env: Object.fromEntries([...passwords.values()].map((p) => [p.variable, p.password])),
    });
    for (const user of [...SERVICES, 'admin']) {
      const credentials = passwords.get(user);
      if (!credentials) throw new Error(`${NATS_CONF}: no user ${user} with a $VARIABLE password`);
      const nc = await connect({
        servers: server.url(),
        user,
        pass: credentials.password,
        name: `deploy-test-${user}`,
      });
      const client: Client = { nc, violations: [] };
      void (async () => {
        for await (const status of nc.status())
          if (status.type === Events.Error && status.permissionContext)
            client.violations.push({ ...status.permissionContext });
      })();
      clients.set(user, client);
    }
    admin = await as('admin').nc.jetstreamManager();
  }, 30_000);

  afterAll(async () => {
    for (const { nc } of clients.values()) await nc.close().catch(() => undefined);
    await server?.dispose();
  });

  /** Publishes (or subscribes) and expects the server to refuse exactly that subject. */
  async function expectRefused(
    user: string,
    operation: 'publish' | 'subscription',
    subject: string,
  ): Promise<void> {
    const { nc, violations } = as(user);
    if (operation === 'publish') nc.publish(subject, encode({}));
    else nc.subscribe(subject, { callback: () => undefined });
    // The server answers in order: its -ERR for the subject arrives before the flush's PONG.
    await nc.flush();
    await eventually(() => violations.some((v) => v.operation === operation && v.subject === subject), {
      timeoutMs: 5_000,
      message: `${user}: the server refuses ${operation} ${subject}`,
    });
  }

  /** Runs `work` and expects the server to have refused `user` nothing meanwhile. */
  async function withoutViolations(user: string, work: () => Promise<void>): Promise<void> {
    const { violations } = as(user);
    const before = violations.length;
    await work();
    await as(user).nc.flush();
    withContext(`${user} was refused something`, () => expect(violations.slice(before)).toEqual([]));
  }

  const messagesIn = async (key: StreamKey): Promise<number> =>
    (await admin.streams.info(names.stream(key).name)).state.messages;
  // The first test makes the streams through the migrations; a test run alone makes them as admin.
  const streamsExist = (): Promise<string[]> => ensureStreams(as('admin').nc, names);

  it('runs every migration as its service: each ensures its streams with its own user', async () => {
    for (const service of SERVICES) {
      const streams = ensuredStreams(service);
      await withoutViolations(service, async () => {
        if (streams.length)
          await expect(ensureStreams(as(service).nc, names, streams)).resolves.toEqual(
            streams.map((key) => names.stream(key).name),
          );
      });
    }
    // Each service ensures the streams it reads too, so its consumers can be made whichever migration ran first.
    for (const key of new Set(SERVICES.flatMap((service) => ensuredStreams(service))))
      await expect(admin.streams.info(names.stream(key).name)).resolves.toBeDefined();
  });

  it.each(SERVICES)('%s reaches every service it calls, and the owner answers', async (service) => {
    for (const callee of calleesOf(service)) {
      const command = commandsSent(service).find((c) => commandsOf(callee).includes(c));
      if (!command) throw new Error(`${service} calls ${callee} with no command of it`);
      const subject = names.command(command);
      const owner = as(callee).nc;
      const sub = owner.subscribe(subject, {
        queue: callee,
        callback: (_error, msg) => msg.respond(encode({ answeredBy: callee })),
      });
      await owner.flush();
      try {
        await withoutViolations(service, async () => {
          const reply = await as(service).nc.request(subject, encode({}), { timeout: 5_000 });
          withContext(`${service} -> ${subject}`, () => expect(reply.json()).toEqual({ answeredBy: callee }));
        });
      } finally {
        sub.unsubscribe();
      }
    }
  });

  it.each(SERVICES)('%s publishes its events into its own streams', async (service) => {
    await streamsExist();
    await withoutViolations(service, async () => {
      for (const key of eventStreamsOf(service))
        for (const type of eventTypesIn(key)) {
          const ack = await as(service)
            .nc.jetstream()
            .publish(names.eventSubject(type), encode({ from: service }));
          expect(ack.stream).toBe(names.stream(key).name);
        }
    });
  });

  it.each(CONSUMING)(
    '%s makes its durable pull consumers as its code does, pulls an event, acks it and dead-letters',
    async (service) => {
      await streamsExist();
      const nc = as(service).nc;
      const before = as(service).violations.length;
      const jsm = await nc.jetstreamManager();
      for (const { stream, durable, filter } of consumersOf(service)) {
        const streamName = names.stream(stream).name;
        // The owner of the stream publishes an event the consumer takes, as its outbox relay does.
        const owner = ownerOf(stream);
        if (!owner) throw new Error(`no service publishes into ${stream}`);
        const type = (filter && names.eventTypeOf(filter)) || eventTypeIn(stream);
        await as(owner)
          .nc.jetstream()
          .publish(names.eventSubject(type), encode({ n: 1 }));

        // Made twice: a restart (or a second replica) finds its consumer and carries on.
        await jsm.consumers.add(streamName, durableConfig(durable, filter));
        await jsm.consumers.add(streamName, durableConfig(durable, filter));
        const consumer = await nc.jetstream().consumers.get(streamName, durable);
        let pulled = 0;
        for (;;) {
          const msg = await consumer.next({ expires: 5_000 });
          if (!msg) break;
          pulled += 1;
          msg.working();
          // ackAck waits for the server to confirm the ack: it was taken, not just sent.
          await expect(msg.ackAck()).resolves.toBe(true);
          if (msg.info.pending === 0) break;
        }
        withContext(`${durable} pulled from ${streamName}`, () => expect(pulled).toBeGreaterThan(0));
        const info = await admin.consumers.info(streamName, durable);
        expect(info.num_ack_pending).toBe(0);
        expect(info.num_pending).toBe(0);

        // A poison event goes to the dead-letter stream under the consumer's name.
        const dead = await nc.jetstream().publish(names.deadLetterSubject(durable), encode({}));
        expect(dead.stream).toBe(names.stream('DEAD_LETTER').name);
      }
      expect(as(service).violations.slice(before)).toEqual([]);
    },
  );

  it("refuses each service another service's events and commands", async () => {
    await streamsExist();
    for (const service of SERVICES) {
      const own = new Set(eventStreamsOf(service));
      for (const key of Object.keys(STREAMS) as StreamKey[]) {
        if (own.has(key) || key === 'DEAD_LETTER') continue;
        const before = await messagesIn(key);
        await expectRefused(service, 'publish', names.eventSubject(eventTypeIn(key)));
        const after = await messagesIn(key);
        withContext(`${service} wrote into ${key}`, () => expect(after).toBe(before));
      }
      for (const other of SERVICES.filter((s) => s !== service)) {
        const command = commandsOf(other)[0];
        if (command) await expectRefused(service, 'subscription', names.command(command));
      }
    }
  });

  it.each(CONSUMING)(
    "refuses %s any stream or consumer change beyond its own consumers, and strangers' consumers",
    async (service) => {
      await streamsExist();
      const own = consumersOf(service);
      const [first] = own;
      if (!first) throw new Error(`${service} has no consumer`);
      const read = names.stream(first.stream).name;
      // Its consumer (made here too, so this test can run alone), someone else's on the same stream, and
      // another service's durable.
      await admin.consumers.add(read, durableConfig(first.durable, first.filter));
      await admin.consumers.add(read, durableConfig('someone-else'));
      const stranger = SERVICES.filter((other) => other !== service)
        .flatMap((other) => consumersOf(other))
        .find((c) => !own.some((o) => o.durable === c.durable));
      if (!stranger) throw new Error('no consumer of another service to try');
      const subjects = [
        `$JS.API.STREAM.DELETE.${read}`,
        `$JS.API.STREAM.PURGE.${read}`,
        `$JS.API.CONSUMER.DELETE.${read}.${first.durable}`,
        `$JS.API.CONSUMER.CREATE.${read}`,
        `$JS.API.CONSUMER.CREATE.${read}.someone-else`,
        `$JS.API.CONSUMER.INFO.${read}.someone-else`,
        `$JS.API.CONSUMER.MSG.NEXT.${read}.someone-else`,
        `$JS.ACK.${read}.someone-else.1.1.1.1700000000000000000.0`,
        ...consumerSubjects(stranger),
      ];
      // Its own durable, but not as its code makes it: another filter than its own, or none.
      for (const { stream, durable, filter } of own) {
        const name = names.stream(stream).name;
        if (filter) subjects.push(`$JS.API.CONSUMER.CREATE.${name}.${durable}`);
        subjects.push(
          `$JS.API.CONSUMER.CREATE.${name}.${durable}.${concrete(names.stream(stream).subjects[0] ?? '')}`,
        );
      }
      // Events of a stream it only reads.
      for (const key of new Set(own.map((c) => c.stream)))
        if (!eventStreamsOf(service).includes(key)) subjects.push(names.eventSubject(eventTypeIn(key)));
      for (const subject of subjects) await expectRefused(service, 'publish', subject);
      const foreign = SERVICES.filter((other) => other !== service).flatMap((other) => commandsOf(other))[0];
      if (foreign) await expectRefused(service, 'subscription', names.command(foreign));

      // Through the client too: the call fails and the stream and consumer are still there.
      const jsm = await as(service).nc.jetstreamManager({ timeout: 1_000 });
      await expect(jsm.streams.delete(read)).rejects.toThrow();
      await expect(jsm.consumers.delete(read, first.durable)).rejects.toThrow();
      await expect(admin.streams.info(read)).resolves.toBeDefined();
      await expect(admin.consumers.info(read, first.durable)).resolves.toBeDefined();
    },
  );
});
