// deploy/nats-server.conf checked against what the services really do on NATS: the subjects come from
// packages/contracts (WireNames, COMMANDS, STREAMS, CONSUMERS), the streams each service ensures from its
// migrate.ts, the commands it sends from its sources. Then docker-compose.yml and k8s/base are checked to run
// each service as its own user of that file. nats-permissions.spec.ts tries the same on a real nats-server.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  COMMANDS,
  CONSUMERS,
  QUEUE_GROUPS,
  STREAMS,
  type CommandName,
  type StreamKey,
} from '@rocketlead/contracts';
import { NATS_SERVER_BIN, natsServerBinAvailable, withContext } from '@rocketlead/testing';
import {
  ROOT,
  commandOwner,
  listDir,
  loadYaml,
  map,
  parseNatsConf,
  permits,
  readRepoFile,
  scalar,
  seq,
  serviceApps,
  type NatsConfMap,
  type NatsConfValue,
} from './deploy-files';
import {
  NATS_CONF as CONF,
  SERVICES,
  anyConsumerSubjects,
  commandsOf,
  commandsSent,
  concrete,
  consumerSubjects,
  consumersOf,
  ensuredStreams,
  eventStreamsOf,
  names,
  type Service,
} from './service-nats';

const K8S_CONF = 'k8s/base/nats-server.conf';
/** Every durable consumer of every service, as their code makes them. */
const allConsumers = SERVICES.flatMap((service) => consumersOf(service));
const COMPOSE = 'docker-compose.yml';
const K8S = 'k8s/base';

const conf = parseNatsConf(readRepoFile(CONF), CONF);
const users = seq(map(conf.authorization).users as unknown).map((u) => u as NatsConfMap);
const userOf = (name: string): NatsConfMap | undefined => users.find((u) => u.user === name);
const permissionsOf = (name: string): NatsConfMap =>
  (userOf(name)?.permissions as NatsConfMap | undefined) ?? {};
const canPublish = (user: string, subject: string): boolean => permits(permissionsOf(user).publish, subject);
const canSubscribe = (user: string, subject: string): boolean =>
  permits(permissionsOf(user).subscribe, subject);
/** A command handler replies on the request's reply subject: allow_responses, or publish on _INBOX. */
const canReply = (user: string): boolean =>
  permissionsOf(user).allow_responses === 'true' || canPublish(user, '_INBOX.reply.1');

interface Needs {
  publish: string[];
  subscribe: string[];
  replies: boolean;
}

/** What each service does on NATS, derived from the contracts and its migration. */
function needs(service: Service): Needs {
  const out: Needs = { publish: [], subscribe: ['_INBOX.abc.*'], replies: false };
  const handled = commandsOf(service);
  if (handled.length) {
    out.subscribe.push(...handled.map((c) => names.command(c)));
    out.replies = true;
  }
  out.publish.push(...commandsSent(service).map((c) => names.command(c)));
  const streams = ensuredStreams(service);
  const consumers = consumersOf(service);
  if (streams.length || consumers.length) out.publish.push('$JS.API.INFO');
  for (const key of streams)
    out.publish.push(
      ...['INFO', 'CREATE', 'UPDATE'].map((op) => `$JS.API.STREAM.${op}.${names.stream(key).name}`),
    );
  // Its events (outbox relay).
  for (const key of eventStreamsOf(service)) out.publish.push(...names.stream(key).subjects.map(concrete));
  // Dead letters of its consumers (services that ensure DEAD_LETTER without a consumer yet: any dlq subject).
  if (streams.includes('DEAD_LETTER') && !consumers.length)
    out.publish.push(names.deadLetterSubject(`${service}-consumer`));
  for (const consumer of consumers)
    out.publish.push(...consumerSubjects(consumer), names.deadLetterSubject(consumer.durable));
  return out;
}

function expectNoProblems(problems: string[]): void {
  withContext(problems.length ? `\n  ${problems.join('\n  ')}\n` : undefined, () =>
    expect(problems).toEqual([]),
  );
}

const text = (value: NatsConfValue | undefined): string => (typeof value === 'string' ? value : '');
/** The environment variable a user's password comes from (`password: $NATS_LEADS_PASSWORD`). */
const variableOf = (user: NatsConfMap | undefined): string | undefined =>
  /^\$(\w+)$/.exec(text(user?.password))?.[1];
const passwordVariable = (user: string): string | undefined => variableOf(userOf(user));

/** user and password inside a NATS_URL. */
function natsUrlCredentials(url: string | undefined): { user?: string; password?: string } {
  const match = /^[a-z]+:\/\/([^:@/]*)(?::([^@/]*))?@/i.exec(url ?? '');
  return match ? { user: match[1], password: match[2] } : {};
}

describe('the services on NATS, from their code', () => {
  it('make a durable consumer for every name of CONSUMERS, each on a stream their migration ensures', () => {
    const problems: string[] = [];
    const durables = new Set(allConsumers.map((c) => c.durable));
    for (const [key, entry] of Object.entries(CONSUMERS)) {
      const wire =
        typeof entry === 'function'
          ? (Object.keys(STREAMS) as StreamKey[]).map((stream) => names.consumer(entry(stream)))
          : [names.consumer(entry)];
      if (!wire.some((durable) => durables.has(durable)))
        problems.push(
          `CONSUMERS.${key}: no new EventConsumer of apps/*/src uses it (service-nats.ts missed it?)`,
        );
    }
    // A service's consumers must find their stream whichever migration ran first.
    for (const service of SERVICES)
      for (const { stream, durable, source } of consumersOf(service))
        if (!ensuredStreams(service).includes(stream))
          problems.push(
            `${source}: ${durable} reads ${stream}, which apps/${service}/src/migrate.ts does not ensure`,
          );
    expectNoProblems(problems);
  });

  it('answer the commands of their own queue group, and every service is known to this test', () => {
    const problems: string[] = [];
    for (const group of Object.keys(QUEUE_GROUPS))
      if (!(SERVICES as readonly string[]).includes(group))
        problems.push(`QUEUE_GROUPS.${group}: not in SERVICES of test/deploy/test/service-nats.ts`);
    for (const service of serviceApps())
      if (!(SERVICES as readonly string[]).includes(service))
        problems.push(`apps/${service}: not in SERVICES of test/deploy/test/service-nats.ts`);
    expectNoProblems(problems);
  });
});

/**
 * NATS work the README's call graph documents, which the checks here derive from the code: should the code
 * scan (service-nats.ts) miss one of them, its permission would go unchecked, so each must be seen there too.
 */
const DOCUMENTED: {
  calls: Partial<Record<Service, CommandName[]>>;
  events: Partial<Record<Service, StreamKey[]>>;
  consumers: Partial<Record<Service, string[]>>;
} = {
  calls: {
    integrations: [
      COMMANDS.contactsResolve,
      COMMANDS.crmEventsByEventbriteId,
      COMMANDS.registrationsRegister,
    ],
    calendar: [COMMANDS.contactsResolve, COMMANDS.poolsGet],
    automation: [COMMANDS.productsGet, COMMANDS.crmEventsGet],
  },
  events: { integrations: ['PRODUCTS'], calendar: ['CRM_EVENTS'] },
  consumers: {
    automation: [
      CONSUMERS.automationEvents('PRODUCTS'),
      CONSUMERS.automationEvents('CRM_EVENTS'),
      CONSUMERS.automationActivity('PRODUCTS'),
      CONSUMERS.automationActivity('CRM_EVENTS'),
    ],
    delivery: [CONSUMERS.deliverySubscriptions('PRODUCTS'), CONSUMERS.deliverySubscriptions('CRM_EVENTS')],
  },
};

describe('the documented NATS work (integrations, CRM events), as the code scan sees it', () => {
  it.each(SERVICES)(
    '%s: its documented calls, event streams and consumers are found in its code',
    (service) => {
      const problems: string[] = [];
      const sent = commandsSent(service);
      for (const command of DOCUMENTED.calls[service] ?? [])
        if (!sent.includes(command))
          problems.push(`apps/${service}/src: sends no COMMANDS.<key> of ${command} (documented call)`);
      const events = eventStreamsOf(service);
      for (const key of DOCUMENTED.events[service] ?? [])
        if (!events.includes(key))
          problems.push(`apps/${service}/src/migrate.ts: does not ensure ${key}, the stream of its events`);
      const durables = consumersOf(service).map((c) => c.durable);
      for (const durable of DOCUMENTED.consumers[service] ?? [])
        if (!durables.includes(names.consumer(durable)))
          problems.push(`apps/${service}/src: no new EventConsumer makes ${durable}`);
      expectNoProblems(problems);
    },
  );
});

describe(CONF, () => {
  it('has one user per service, with its password from the environment (not in the file)', () => {
    const problems: string[] = [];
    for (const service of SERVICES) {
      if (!userOf(service)) problems.push(`${CONF}: no user ${service}`);
      else if (!passwordVariable(service))
        problems.push(`${CONF}: user ${service}'s password is not a $VARIABLE from the environment`);
    }
    expectNoProblems(problems);
  });

  it.each(SERVICES)('lets %s use every subject it needs', (service) => {
    const need = needs(service);
    const problems: string[] = [];
    for (const subject of need.publish)
      if (!canPublish(service, subject)) problems.push(`${CONF}: ${service} may not publish ${subject}`);
    for (const subject of need.subscribe)
      if (!canSubscribe(service, subject)) problems.push(`${CONF}: ${service} may not subscribe ${subject}`);
    if (need.replies && !canReply(service))
      problems.push(`${CONF}: ${service} answers commands but may not reply (allow_responses)`);
    expectNoProblems(problems);
  });

  it.each(SERVICES)("refuses %s every other service's commands, events and consumers", (service) => {
    const problems: string[] = [];
    const events = new Set(eventStreamsOf(service));
    const ensured = new Set(ensuredStreams(service));
    for (const key of Object.keys(STREAMS) as StreamKey[]) {
      const stream = names.stream(key);
      if (!events.has(key) && key !== 'DEAD_LETTER')
        for (const subject of stream.subjects.map(concrete))
          if (canPublish(service, subject)) problems.push(`${CONF}: ${service} may publish ${subject}`);
      for (const op of ['CREATE', 'UPDATE'])
        if (!ensured.has(key) && canPublish(service, `$JS.API.STREAM.${op}.${stream.name}`))
          problems.push(`${CONF}: ${service} may ${op.toLowerCase()} stream ${stream.name}`);
      for (const op of ['DELETE', 'PURGE', 'MSG.DELETE'])
        if (canPublish(service, `$JS.API.STREAM.${op}.${stream.name}`))
          problems.push(`${CONF}: ${service} may ${op.toLowerCase()} stream ${stream.name}`);
      // Consumers: only its own durables, made as its code makes them (its filter, or none), and none of them
      // may be deleted; a stranger's (another service's, or any other name) is out of reach.
      const own = consumersOf(service).filter((c) => c.stream === key);
      const ownDurables = new Set(own.map((c) => c.durable));
      for (const durable of new Set(['someone-else', ...allConsumers.map((c) => c.durable)]))
        if (!ownDurables.has(durable))
          for (const subject of anyConsumerSubjects(key, durable))
            if (canPublish(service, subject))
              problems.push(`${CONF}: ${service} may use ${subject} (not a consumer of its own)`);
      for (const consumer of own) {
        const made = new Set(consumerSubjects(consumer));
        for (const subject of anyConsumerSubjects(key, consumer.durable))
          if (!made.has(subject) && canPublish(service, subject))
            problems.push(
              `${CONF}: ${service} may use ${subject} (its consumer, but not as ${consumer.source} makes it)`,
            );
        if (canPublish(service, `$JS.API.CONSUMER.DELETE.${stream.name}.${consumer.durable}`))
          problems.push(`${CONF}: ${service} may delete its consumer ${consumer.durable}`);
      }
      if (canPublish(service, `$JS.API.CONSUMER.CREATE.${stream.name}`))
        problems.push(`${CONF}: ${service} may create unnamed (ephemeral) consumers on ${stream.name}`);
    }
    for (const other of SERVICES.filter((s) => s !== service))
      for (const command of commandsOf(other))
        if (canSubscribe(service, names.command(command)))
          problems.push(`${CONF}: ${service} may subscribe ${other}'s command ${names.command(command)}`);
    if (canPublish(service, '$JS.API.STREAM.DELETE.ANY'))
      problems.push(`${CONF}: ${service} may delete streams`);
    // Commands only to the services its code calls (by service: the owner checks each request).
    const called = new Set(commandsSent(service).map(commandOwner));
    for (const command of Object.values(COMMANDS))
      if (!called.has(commandOwner(command)) && canPublish(service, names.command(command)))
        problems.push(
          `${CONF}: ${service} may send the command ${names.command(command)}, yet never calls ${commandOwner(command)}`,
        );
    expectNoProblems(problems);
  });

  (natsServerBinAvailable() ? it : it.skip)('is accepted by nats-server -t (with every password set)', () => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
    for (const user of users) {
      const variable = variableOf(user);
      if (variable) env[variable] = `test-${variable}`;
    }
    const result = spawnSync(NATS_SERVER_BIN, ['-c', join(ROOT, CONF), '-t'], { env, encoding: 'utf8' });
    withContext(`${CONF}: nats-server -t says: ${result.stderr}${result.stdout}`, () =>
      expect(result.status).toBe(0),
    );
  });
});

describe(COMPOSE, () => {
  const compose = map(loadYaml(COMPOSE)[0]?.services);
  const nats = map(compose.nats);
  const natsEnv = map(nats.environment);

  it('runs nats-server with deploy/nats-server.conf mounted, and every password set', () => {
    const problems: string[] = [];
    const command = seq(nats.command).map(String);
    const confPath = command[command.indexOf('-c') + 1];
    if (!command.includes('-c') || !confPath) problems.push(`${COMPOSE}: nats is not started with -c <conf>`);
    const mounted = seq(nats.volumes)
      .map(String)
      .some((v) => v.replace(/:ro$/, '') === `./${CONF}:${confPath}`);
    if (!mounted) problems.push(`${COMPOSE}: nats does not mount ./${CONF} at ${confPath}`);
    if (!command.includes('-js')) problems.push(`${COMPOSE}: nats runs without JetStream (-js)`);
    for (const user of users) {
      const variable = variableOf(user);
      if (variable && !scalar(natsEnv[variable]))
        problems.push(`${COMPOSE}: nats does not set ${variable} (password of ${text(user.user)})`);
    }
    expectNoProblems(problems);
  });

  it.each(SERVICES)('connects %s and its migration as its own NATS user', (service) => {
    const problems: string[] = [];
    for (const name of [service, `migrate-${service}`]) {
      const env = map(map(compose[name]).environment);
      const { user, password } = natsUrlCredentials(scalar(env.NATS_URL));
      const variable = passwordVariable(service);
      if (user !== service)
        problems.push(`${COMPOSE}: ${name} NATS_URL user is ${user}, expected ${service}`);
      else if (!variable || password !== scalar(natsEnv[variable]))
        problems.push(`${COMPOSE}: ${name} NATS_URL password is not nats's ${variable}`);
      if ((scalar(env.RL_NAMESPACE) ?? '') !== '')
        problems.push(`${COMPOSE}: ${name} sets RL_NAMESPACE, but ${CONF} is written for the default one`);
    }
    expectNoProblems(problems);
  });
});

describe(K8S, () => {
  const kustomization = loadYaml(`${K8S}/kustomization.yaml`)[0] ?? {};
  const examples = new Map<string, Map<string, string>>();
  for (const file of listDir('k8s').filter((f) => /\.example\.ya?ml$/.test(f)))
    for (const body of loadYaml(`k8s/${file}`).filter((b) => b.kind === 'Secret')) {
      const data = new Map(Object.entries(map(body.stringData)).map(([k, v]) => [k, String(v)]));
      examples.set(scalar(map(body.metadata).name) ?? '', data);
    }

  it('ships deploy/nats-server.conf unchanged as a ConfigMap, and an example of its passwords', () => {
    const problems: string[] = [];
    const generated = seq(kustomization.configMapGenerator)
      .map(map)
      .some((g) => seq(g.files).map(String).includes('nats-server.conf'));
    if (!generated) problems.push(`${K8S}/kustomization.yaml: no configMapGenerator with nats-server.conf`);
    if (!existsSync(join(ROOT, K8S_CONF)) || readRepoFile(K8S_CONF) !== readRepoFile(CONF))
      problems.push(`${K8S_CONF}: differs from ${CONF} (copy it: cp ${CONF} ${K8S_CONF})`);
    const passwords = [...examples.values()].flatMap((secret) => [...secret.keys()]);
    for (const user of users) {
      const variable = variableOf(user);
      if (variable && !passwords.includes(variable))
        problems.push(`k8s/*.example.yaml: no Secret describes ${variable} (password of ${text(user.user)})`);
    }
    expectNoProblems(problems);
  });

  it.each(SERVICES)('connects %s and its migration Job as its own NATS user', (service) => {
    const problems: string[] = [];
    for (const file of [`${K8S}/${service}.yaml`, `${K8S}/${service}-migrate.yaml`]) {
      const workload = loadYaml(file).find((d) => d.kind === 'Deployment' || d.kind === 'Job');
      const containers = seq(map(map(map(workload?.spec).template).spec).containers).map(map);
      for (const container of containers) {
        const item = seq(container.env)
          .map(map)
          .find((e) => e.name === 'NATS_URL');
        const ref = map(map(item?.valueFrom).secretKeyRef);
        const url = examples.get(scalar(ref.name) ?? '')?.get(scalar(ref.key) ?? '');
        const { user } = natsUrlCredentials(url);
        if (!item) problems.push(`${file}: ${String(container.name)} has no NATS_URL from a Secret`);
        else if (user !== service)
          problems.push(
            `${file}: NATS_URL (Secret ${String(ref.name)} ${String(ref.key)}) user is ${user}, expected ${service}`,
          );
      }
    }
    const config = loadYaml(`${K8S}/config.yaml`).map((d) => map(d.data));
    if (config.some((data) => 'NATS_URL' in data))
      problems.push(`${K8S}/config.yaml: NATS_URL is per service (its own user), not shared`);
    if (config.some((data) => (scalar(data.RL_NAMESPACE) ?? '') !== ''))
      problems.push(`${K8S}/config.yaml: RL_NAMESPACE is set, but ${CONF} is written for the default one`);
    expectNoProblems(problems);
  });
});
