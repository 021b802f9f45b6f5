// What each service does on NATS, derived from the code rather than restated: wire names from packages/contracts
// (WireNames, COMMANDS, STREAMS, CONSUMERS), the streams it ensures from its migrate.ts, the commands it sends
// and the durable consumers it makes from its sources. nats-config.spec.ts checks deploy/nats-server.conf against it on paper,
// nats-permissions.spec.ts on a running nats-server.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as contracts from '@rocketlead/contracts';
import {
  COMMANDS,
  CONSUMERS,
  QUEUE_GROUPS,
  STREAMS,
  TRIGGER_STREAMS,
  WireNames,
  type CommandName,
  type StreamKey,
} from '@rocketlead/contracts';
import { ROOT, commandOwner, commandsSentBy, readRepoFile, sourceFiles } from './deploy-files';

export const NATS_CONF = 'deploy/nats-server.conf';
export const SERVICES = ['ingress', 'leads', 'calendar', 'automation', 'delivery', 'integrations'] as const;
export type Service = (typeof SERVICES)[number];

// The configuration is written for the default namespace (RL_NAMESPACE=''), as compose and k8s run.
export const names = new WireNames('');

/** A concrete subject inside a pattern: `events.table.>` -> `events.table.x`. */
export const concrete = (pattern: string): string => pattern.replace(/>$/, 'x').replace(/\*/g, 'x');

/**
 * Streams a service creates in its migration (`migrateStreams(config, 'leads', ['LEADS', ...])`); a spread of
 * `TRIGGER_STREAMS` (automation, delivery: the streams they read) counts as those streams.
 */
export function ensuredStreams(service: Service): StreamKey[] {
  const file = `apps/${service}/src/migrate.ts`;
  if (!existsSync(join(ROOT, file))) return [];
  const list = /migrateStreams\([\s\S]*?\[([^\]]*)\]/.exec(readRepoFile(file))?.[1] ?? '';
  const named = [...list.matchAll(/'(\w+)'/g)].map((m) => m[1] as StreamKey).filter((k) => k in STREAMS);
  return [...new Set([...(/\.\.\.TRIGGER_STREAMS\b/.test(list) ? TRIGGER_STREAMS : []), ...named])];
}

export interface DurableConsumer {
  stream: StreamKey;
  /** Its name on the wire (namespace prefix included). */
  durable: string;
  /** The one subject it is created with (EventConsumer filters when given exactly one event type). */
  filter?: string;
  /** Where the code makes it (`new EventConsumer({...})`), for messages. */
  source: string;
}

/** The `{ ... }` argument of every `new EventConsumer(` in a source, braces balanced. */
function eventConsumerArguments(source: string): string[] {
  const out: string[] = [];
  for (const match of source.matchAll(/new EventConsumer\(\s*\{/g)) {
    const open = (match.index ?? 0) + match[0].length - 1;
    let depth = 0;
    for (let i = open; i < source.length; i++) {
      if (source[i] === '{') depth++;
      else if (source[i] === '}' && --depth === 0) {
        out.push(source.slice(open, i + 1));
        break;
      }
    }
  }
  return out;
}

/** An exported value of @rocketlead/contracts by name (`TRIGGER_STREAMS`, `DELIVERY_REQUESTED`). */
const contractValue = (name: string): unknown => (contracts as Record<string, unknown>)[name];

/** The identifiers of an array literal `[A, B]`, or of `const NAME = [A, B]` declared in the same file. */
function arrayItems(expression: string, source: string): string[] | undefined {
  const items = expression.startsWith('[')
    ? expression.slice(1, -1)
    : new RegExp(`\\b${expression}\\s*(?::[^=]+)?=\\s*\\[([^\\]]*)\\]`).exec(source)?.[1];
  return items
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/**
 * The durable pull consumers a service reads with, from its code: every `new EventConsumer({ stream, durable:
 * CONSUMERS.<name>[(stream)], types })` in apps/<service>/src. `stream` is a literal (`'AUTOMATION'`) or the
 * variable of a `for (const stream of TRIGGER_STREAMS)`; `types` with one event type filters the consumer to
 * that subject (as EventConsumer.start does). A form this cannot read fails the tests, naming the file.
 */
export function consumersOf(service: Service): DurableConsumer[] {
  const out: DurableConsumer[] = [];
  const dir = `apps/${service}/src`;
  if (!existsSync(join(ROOT, dir))) return out;
  for (const file of sourceFiles(dir)) {
    const source = readRepoFile(file);
    for (const options of eventConsumerArguments(source)) {
      const fail = (what: string): never => {
        throw new Error(`${file}: new EventConsumer(...) ${what}; teach test/deploy/test/service-nats.ts`);
      };
      const durable = /\bdurable:\s*CONSUMERS\.(\w+)(?:\(\s*(\w+)\s*\))?/.exec(options);
      const consumerName = durable?.[1] as keyof typeof CONSUMERS | undefined;
      if (!consumerName || !(consumerName in CONSUMERS)) return fail('has no durable CONSUMERS.<name>');
      const literal = /\bstream:\s*'(\w+)'/.exec(options)?.[1];
      let streams: StreamKey[];
      if (literal && literal in STREAMS) streams = [literal as StreamKey];
      else if (/\bstream\s*[,}]|\bstream:\s*stream\b/.test(options)) {
        const iterated = /for\s*\(\s*const\s+stream\s+of\s+(\w+)\s*\)/.exec(source)?.[1] ?? '';
        const value = contractValue(iterated);
        if (!Array.isArray(value)) return fail(`reads "stream" from ${iterated || 'an unknown list'}`);
        streams = value as StreamKey[];
      } else return fail('has a stream this test cannot read');
      const typesExpression = /\btypes:\s*(\[[^\]]*\]|\w+)/.exec(options)?.[1];
      let filter: string | undefined;
      if (typesExpression) {
        const types = arrayItems(typesExpression, source);
        if (!types) return fail(`has types ${typesExpression} this test cannot read`);
        if (types.length === 1) {
          const type = contractValue(types[0] ?? '');
          if (typeof type !== 'string') return fail(`filters on ${types[0]}, not an event type of contracts`);
          filter = names.eventSubject(type);
        }
      }
      const entry = CONSUMERS[consumerName];
      for (const stream of streams)
        out.push({
          stream,
          durable: names.consumer(typeof entry === 'function' ? entry(stream) : entry),
          ...(filter ? { filter } : {}),
          source: file,
        });
    }
  }
  return out;
}

// Streams a service reads and also publishes into: delivery sends webhooks for its own email and SMS events.
const READS_ITS_OWN: Partial<Record<Service, StreamKey[]>> = { delivery: ['DELIVERY'] };

/** Streams a service publishes its events into: those it ensures, less the ones it only reads. */
export const eventStreamsOf = (service: Service): StreamKey[] => {
  const own = new Set(READS_ITS_OWN[service] ?? []);
  const read = new Set(consumersOf(service).map((c) => c.stream));
  return ensuredStreams(service).filter((key) => key !== 'DEAD_LETTER' && (own.has(key) || !read.has(key)));
};

/** Command names a service answers: the first token of the command is its queue group. */
export const commandsOf = (service: Service): CommandName[] =>
  Object.values(COMMANDS).filter((c) => commandOwner(c) === service && service in QUEUE_GROUPS);

/** Commands a service sends: ingress (the HTTP edge) every one, the others those their code names. */
export const commandsSent = (service: Service): CommandName[] =>
  service === 'ingress' ? Object.values(COMMANDS) : commandsSentBy(service);

/** What the JetStream API and acks of one pull consumer take, made as the code makes it (nats.js, server >= 2.9). */
export const consumerSubjects = ({ stream, durable, filter }: Omit<DurableConsumer, 'source'>): string[] => {
  const name = names.stream(stream).name;
  return [
    // A durable with one filter subject names it in its create subject too.
    `$JS.API.CONSUMER.CREATE.${name}.${durable}${filter ? `.${filter}` : ''}`,
    `$JS.API.CONSUMER.INFO.${name}.${durable}`,
    `$JS.API.CONSUMER.MSG.NEXT.${name}.${durable}`,
    // The reply subject of a delivered message: ack, nak, term and in-progress all go there.
    `$JS.ACK.${name}.${durable}.1.7.3.1700000000000000000.0`,
  ];
};

/** Every way to make or use a durable on a stream: unfiltered, filtered on each subject of the stream, read, ack. */
export const anyConsumerSubjects = (stream: StreamKey, durable: string): string[] => [
  ...consumerSubjects({ stream, durable }),
  ...names
    .stream(stream)
    .subjects.map((s) => `$JS.API.CONSUMER.CREATE.${names.stream(stream).name}.${durable}.${concrete(s)}`),
];

/** Services a service sends commands to (so they must be reachable, and up, before it is). */
export const calleesOf = (service: Service): Service[] => {
  const owners = new Set(commandsSent(service).map(commandOwner));
  return SERVICES.filter((other) => other !== service && owners.has(other));
};
