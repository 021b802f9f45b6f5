// What each service does on NATS, derived from the code rather than restated: wire names from packages/contracts
// (WireNames, COMMANDS, STREAMS, CONSUMERS), the streams it ensures from its migrate.ts, the commands it sends
// from its sources. nats-config.spec.ts checks deploy/nats-server.conf against it on paper,
// nats-permissions.spec.ts on a running nats-server.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
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
import { ROOT, commandOwner, commandsSentBy, readRepoFile } from './deploy-files';

export const NATS_CONF = 'deploy/nats-server.conf';
export const SERVICES = ['ingress', 'leads', 'calendar', 'automation'] as const;
export type Service = (typeof SERVICES)[number];

// The configuration is written for the default namespace (RL_NAMESPACE=''), as compose and k8s run.
export const names = new WireNames('');

/** A concrete subject inside a pattern: `events.table.>` -> `events.table.x`. */
export const concrete = (pattern: string): string => pattern.replace(/>$/, 'x').replace(/\*/g, 'x');

/**
 * Streams a service creates in its migration (`ensureStreams(nc, names, ['LEADS', ...])`); a spread of
 * `TRIGGER_STREAMS` (automation: the streams it reads) counts as those streams.
 */
export function ensuredStreams(service: Service): StreamKey[] {
  const file = `apps/${service}/src/migrate.ts`;
  if (!existsSync(join(ROOT, file))) return [];
  const list = /ensureStreams\([\s\S]*?\[([^\]]*)\]/.exec(readRepoFile(file))?.[1] ?? '';
  const named = [...list.matchAll(/'(\w+)'/g)].map((m) => m[1] as StreamKey).filter((k) => k in STREAMS);
  return [...new Set([...(/\.\.\.TRIGGER_STREAMS\b/.test(list) ? TRIGGER_STREAMS : []), ...named])];
}

export interface DurableConsumer {
  stream: StreamKey;
  /** Its name on the wire (namespace prefix included). */
  durable: string;
}

/** The durable pull consumers a service reads with: automation, one per trigger stream (names.ts). */
export function consumersOf(service: Service): DurableConsumer[] {
  if (service !== 'automation') return [];
  return TRIGGER_STREAMS.map((stream) => ({
    stream,
    durable: names.consumer(CONSUMERS.automationEvents(stream)),
  }));
}

/** Streams a service publishes its events into: those it ensures, less the ones it only reads. */
export const eventStreamsOf = (service: Service): StreamKey[] => {
  const read = new Set(consumersOf(service).map((c) => c.stream));
  return ensuredStreams(service).filter((key) => key !== 'DEAD_LETTER' && !read.has(key));
};

/** Command names a service answers: the first token of the command is its queue group. */
export const commandsOf = (service: Service): CommandName[] =>
  Object.values(COMMANDS).filter((c) => commandOwner(c) === service && service in QUEUE_GROUPS);

/** Commands a service sends: ingress (the HTTP edge) every one, the others those their code names. */
export const commandsSent = (service: Service): CommandName[] =>
  service === 'ingress' ? Object.values(COMMANDS) : commandsSentBy(service);

/** What the JetStream API and acks of one pull consumer take (nats.js on nats-server >= 2.9). */
export const consumerSubjects = ({ stream, durable }: DurableConsumer): string[] => {
  const name = names.stream(stream).name;
  return [
    `$JS.API.CONSUMER.CREATE.${name}.${durable}`,
    // With one filter subject the durable's create names it too.
    ...names.stream(stream).subjects.map((s) => `$JS.API.CONSUMER.CREATE.${name}.${durable}.${concrete(s)}`),
    `$JS.API.CONSUMER.INFO.${name}.${durable}`,
    `$JS.API.CONSUMER.MSG.NEXT.${name}.${durable}`,
    // The reply subject of a delivered message: ack, nak, term and in-progress all go there.
    `$JS.ACK.${name}.${durable}.1.7.3.1700000000000000000.0`,
  ];
};

/** Services a service sends commands to (so they must be reachable, and up, before it is). */
export const calleesOf = (service: Service): Service[] => {
  const owners = new Set(commandsSent(service).map(commandOwner));
  return SERVICES.filter((other) => other !== service && owners.has(other));
};
