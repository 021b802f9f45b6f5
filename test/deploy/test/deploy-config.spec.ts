// The deployment files (deploy/, docker-compose.yml, k8s/base) checked against what the services really read:
// their env specs, their port, their health routes, their process entry points. No Docker or cluster needed.
// Each check collects problems as "file: what is wrong", so a failure lists every problem at once.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { withContext } from '@rocketlead/testing';
import { AUTOMATION_ENV } from '@rocketlead/automation/config';
import { CALENDAR_ENV } from '@rocketlead/calendar/config';
import { DELIVERY_ENV } from '@rocketlead/delivery/config';
import { INGRESS_ENV } from '@rocketlead/ingress/config';
import { INTEGRATIONS_ENV } from '@rocketlead/integrations/config';
import { LEADS_ENV } from '@rocketlead/leads/config';
import {
  ROOT,
  composeValue,
  dockerStages,
  envProblems,
  execForm,
  healthRoutes,
  imageProblem,
  imageRepo,
  imageTag,
  isMap,
  listDir,
  listenPort,
  loadYaml,
  map,
  readRepoFile,
  scalar,
  seq,
  serviceApps,
  sourceFiles,
  stageEnv,
  type Env,
  type EnvSpec,
  type YamlMap,
} from './deploy-files';
import { calleesOf, type Service } from './service-nats';

interface ServiceCase {
  name: Service;
  spec: EnvSpec;
  /** Port of its Kubernetes Service. */
  servicePort: number;
  /** Published on the host by Compose (the public API). */
  published: boolean;
}

const SERVICES: ServiceCase[] = [
  { name: 'ingress', spec: INGRESS_ENV, servicePort: 80, published: true },
  { name: 'leads', spec: LEADS_ENV, servicePort: 3001, published: false },
  { name: 'calendar', spec: CALENDAR_ENV, servicePort: 3002, published: false },
  { name: 'automation', spec: AUTOMATION_ENV, servicePort: 3003, published: false },
  { name: 'delivery', spec: DELIVERY_ENV, servicePort: 3004, published: false },
  { name: 'integrations', spec: INTEGRATIONS_ENV, servicePort: 3005, published: false },
];

const PLATFORM_IMAGE = 'rocketlead/platform';
const DOCKERFILE = 'deploy/Dockerfile';
const ENTRYPOINT = 'deploy/entrypoint.sh';
const COMPOSE = 'docker-compose.yml';
const PLATFORM_RUNNER = 'scripts/platform.mjs';
const K8S = 'k8s/base';
const KUSTOMIZATION = `${K8S}/kustomization.yaml`;
const EXAMPLE = /\.example\.ya?ml$/;
const { file: HEALTH_FILE, routes: HEALTH_ROUTES } = healthRoutes();

// ---- docker-compose.yml

const compose = loadYaml(COMPOSE)[0] ?? {};
const composeServices = map(compose.services);

function composeEnv(service: YamlMap): Env {
  const env: Env = new Map();
  const environment = service.environment;
  if (Array.isArray(environment)) {
    for (const entry of environment.map(String)) {
      const eq = entry.indexOf('=');
      // `- NAME` alone passes the host's value through: unknown here.
      if (eq < 0) env.set(entry, undefined);
      else env.set(entry.slice(0, eq), composeValue(entry.slice(eq + 1)));
    }
  } else {
    for (const [name, value] of Object.entries(map(environment))) env.set(name, composeValue(scalar(value)));
  }
  return env;
}

const composeCommand = (service: YamlMap): string[] =>
  Array.isArray(service.command)
    ? service.command.map(String)
    : (scalar(service.command)?.split(/\s+/) ?? []);

/** Services a compose service depends on, with their condition. */
const dependsOn = (service: YamlMap): Map<string, string> =>
  new Map(
    Array.isArray(service.depends_on)
      ? service.depends_on.map((name) => [String(name), 'service_started'])
      : Object.entries(map(service.depends_on)).map(([name, dep]) => [
          name,
          scalar(map(dep).condition) ?? 'service_started',
        ]),
  );

/** Everything a compose service waits for, directly or through the services it waits for. */
function dependsOnTransitively(name: string): Set<string> {
  const seen = new Set<string>();
  const visit = (current: string): void => {
    for (const dep of dependsOn(map(composeServices[current])).keys())
      if (!seen.has(dep)) {
        seen.add(dep);
        visit(dep);
      }
  };
  visit(name);
  return seen;
}

const hostOf = (url: string | undefined): string | undefined => {
  try {
    return url ? new URL(url.split(',')[0] ?? '').hostname : undefined;
  } catch {
    return undefined;
  }
};

// ---- k8s/base

interface K8sObject {
  file: string;
  kind: string;
  name: string;
  body: YamlMap;
}

const kustomization = loadYaml(KUSTOMIZATION)[0] ?? {};
const kustomizeResources = seq(kustomization.resources).map(String);
const k8sObjects: K8sObject[] = kustomizeResources
  .map((resource) => `${K8S}/${resource}`)
  .filter((file) => existsSync(join(ROOT, file)))
  .flatMap((file) =>
    loadYaml(file).map((body) => ({
      file,
      kind: scalar(body.kind) ?? '',
      name: scalar(map(body.metadata).name) ?? '',
      body,
    })),
  );
const findObject = (kind: string, name: string): K8sObject | undefined =>
  k8sObjects.find((o) => o.kind === kind && o.name === name);

/** Secrets the base refers to but does not contain, as described by the k8s example files. */
const exampleSecrets = new Map<string, Map<string, string>>();
for (const dir of ['k8s', K8S]) {
  for (const file of listDir(dir).filter((f) => EXAMPLE.test(f))) {
    for (const body of loadYaml(`${dir}/${file}`).filter((b) => b.kind === 'Secret')) {
      const values = new Map<string, string>();
      for (const [k, v] of Object.entries(map(body.data)))
        values.set(k, Buffer.from(String(v), 'base64').toString());
      for (const [k, v] of Object.entries(map(body.stringData))) values.set(k, String(v));
      exampleSecrets.set(scalar(map(body.metadata).name) ?? '', values);
    }
  }
}

const podSpec = (workload: K8sObject | undefined): YamlMap =>
  map(map(map(workload?.body.spec).template).spec);
const podLabels = (workload: K8sObject | undefined): YamlMap =>
  map(map(map(map(workload?.body.spec).template).metadata).labels);
const containerOf = (workload: K8sObject | undefined, name: string): YamlMap => {
  const containers = seq(podSpec(workload).containers).map(map);
  return containers.find((c) => c.name === name) ?? containers[0] ?? {};
};
const selects = (selector: YamlMap, labels: YamlMap): boolean =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/** The container's environment, with envFrom and valueFrom resolved through the ConfigMaps and example Secrets. */
function k8sEnv(
  where: string,
  container: YamlMap,
): { env: Env; problems: string[]; fromSecret: Set<string> } {
  const env: Env = new Map();
  const problems: string[] = [];
  const fromSecret = new Set<string>();
  const configMapData = (name: string): YamlMap | undefined => {
    const configMap = findObject('ConfigMap', name);
    if (!configMap) return undefined;
    const data = map(configMap.body.data);
    for (const [key, value] of Object.entries(data))
      if (typeof value !== 'string')
        problems.push(`${configMap.file}: ConfigMap ${name} ${key} must be a string (quote it)`);
    return data;
  };
  for (const source of seq(container.envFrom).map(map)) {
    const configMapName = scalar(map(source.configMapRef).name);
    const secretName = scalar(map(source.secretRef).name);
    if (configMapName) {
      const data = configMapData(configMapName);
      if (!data)
        problems.push(`${where}: envFrom ConfigMap ${configMapName} is not in ${KUSTOMIZATION} resources`);
      for (const [key, value] of Object.entries(data ?? {})) env.set(key, scalar(value));
    } else if (secretName) {
      const secret = exampleSecrets.get(secretName);
      if (!secret)
        problems.push(`${where}: envFrom Secret ${secretName} is described by no k8s/*.example.yaml`);
      for (const [key, value] of secret ?? []) {
        env.set(key, value);
        fromSecret.add(key);
      }
    }
  }
  for (const item of seq(container.env).map(map)) {
    const name = scalar(item.name) ?? '';
    const secretRef = map(map(item.valueFrom).secretKeyRef);
    const configMapRef = map(map(item.valueFrom).configMapKeyRef);
    const [secretName, secretKey] = [scalar(secretRef.name), scalar(secretRef.key) ?? ''];
    const [configMapName, configMapKey] = [scalar(configMapRef.name), scalar(configMapRef.key) ?? ''];
    fromSecret.delete(name);
    if ('value' in item) {
      if (typeof item.value !== 'string') problems.push(`${where}: env ${name} must be a string (quote it)`);
      env.set(name, scalar(item.value));
    } else if (secretName) {
      fromSecret.add(name);
      const value = exampleSecrets.get(secretName)?.get(secretKey);
      if (value === undefined)
        problems.push(
          `${where}: env ${name} reads Secret ${secretName} key ${secretKey}, described by no k8s/*.example.yaml`,
        );
      env.set(name, value);
    } else if (configMapName) {
      const value = configMapData(configMapName)?.[configMapKey];
      if (value === undefined)
        problems.push(
          `${where}: env ${name} reads ConfigMap ${configMapName} key ${configMapKey}, which does not exist`,
        );
      env.set(name, scalar(value));
    } else {
      env.set(name, undefined); // fieldRef and the like: a value the test cannot know
    }
  }
  return { env, problems, fromSecret };
}

/** Variables a service masks in its errors (`display`): secrets, never in a ConfigMap or a manifest. */
const secretVariables = (spec: EnvSpec): string[] =>
  Object.entries(spec)
    .filter(([, item]) => item.display !== undefined)
    .map(([name]) => name);

/** A probe's or Service's port (number or container port name) as a number. */
function containerPort(container: YamlMap, port: unknown): number | undefined {
  if (typeof port === 'number') return port;
  const named = seq(container.ports)
    .map(map)
    .find((p) => p.name === port);
  return named ? Number(named.containerPort) : Number(port) || undefined;
}

/** Security and resource settings every container of the platform must have. */
function hardeningProblems(where: string, workload: K8sObject | undefined, container: YamlMap): string[] {
  const problems: string[] = [];
  const pod = map(podSpec(workload).securityContext);
  const own = map(container.securityContext);
  if (own.runAsNonRoot !== true && pod.runAsNonRoot !== true)
    problems.push(`${where}: runAsNonRoot is not true`);
  // The image's USER is a name (`node`): the kubelet can only enforce runAsNonRoot with a numeric uid.
  const uid = Number(own.runAsUser ?? pod.runAsUser);
  if (!(uid > 0))
    problems.push(`${where}: runAsUser must be a non-zero uid (the image's USER is not numeric)`);
  if (own.readOnlyRootFilesystem !== true) problems.push(`${where}: readOnlyRootFilesystem is not true`);
  if (own.allowPrivilegeEscalation !== false)
    problems.push(`${where}: allowPrivilegeEscalation is not false`);
  const resources = map(container.resources);
  for (const kind of ['requests', 'limits'])
    for (const resource of ['cpu', 'memory'])
      if (map(resources[kind])[resource] === undefined)
        problems.push(`${where}: resources.${kind}.${resource} is not set`);
  return problems;
}

// ---- Dockerfile

const dockerfile = readRepoFile(DOCKERFILE);
const stages = dockerStages(dockerfile);
const finalStage = stages.at(-1);
/** What the image sets for every process (NODE_ENV=production), under each container's own variables. */
const IMAGE_ENV = stageEnv(finalStage);
const lastArgs = (op: string): string | undefined =>
  finalStage?.instructions.filter((i) => i.op === op).at(-1)?.args;

// ---- tests

/** Fails with every problem on its own line, each naming the file it is in. */
function expectNoProblems(problems: string[]): void {
  withContext(problems.length ? `\n  ${problems.join('\n  ')}\n` : undefined, () =>
    expect(problems).toEqual([]),
  );
}

describe('health routes', () => {
  it('the health controller serves /health/live and /health/ready', () => {
    withContext(`${HEALTH_FILE}: routes`, () =>
      expect(HEALTH_ROUTES).toEqual(expect.arrayContaining(['/health/live', '/health/ready'])),
    );
  });
});

describe.each(SERVICES)('$name', ({ name, spec, servicePort, published }) => {
  const migrateName = `migrate-${name}`;
  const service = map(composeServices[name]);
  const migrate = map(composeServices[migrateName]);

  it('registers the health controller', () => {
    const sources = sourceFiles(`apps/${name}/src`).map(readRepoFile);
    withContext(
      `apps/${name}/src: no module lists HealthController, so the probes' /health routes would 404`,
      () => expect(sources.some((s) => /controllers:\s*\[[^\]]*\bHealthController\b/.test(s))).toBe(true),
    );
  });

  describe(COMPOSE, () => {
    it(`runs "${name}" and "${name} migrate" from the platform image`, () => {
      const problems: string[] = [];
      for (const [serviceName, body, command] of [
        [name, service, [name]],
        [migrateName, migrate, [name, 'migrate']],
      ] as const) {
        if (!composeServices[serviceName]) {
          problems.push(`${COMPOSE}: no service ${serviceName}`);
          continue;
        }
        const image = scalar(body.image) ?? '';
        if (imageRepo(image) !== PLATFORM_IMAGE)
          problems.push(`${COMPOSE}: ${serviceName} image ${image} is not ${PLATFORM_IMAGE}`);
        if (scalar(map(body.build).dockerfile) !== DOCKERFILE)
          problems.push(`${COMPOSE}: ${serviceName} is not built from ${DOCKERFILE}`);
        const actual = composeCommand(body);
        if (actual.join(' ') !== command.join(' '))
          problems.push(
            `${COMPOSE}: ${serviceName} command is [${actual.join(', ')}], expected [${command.join(', ')}]`,
          );
      }
      expectNoProblems(problems);
    });

    it('sets the environment the config needs, and only variables it knows', () => {
      const problems: string[] = [];
      for (const [serviceName, body] of [
        [name, service],
        [migrateName, migrate],
      ] as const) {
        const where = `${COMPOSE}: ${serviceName}`;
        const env = composeEnv(body);
        problems.push(...envProblems(where, name, spec, env, IMAGE_ENV));
        // DATABASE_URL, NATS_URL: the host must be a service of this file, started before this one.
        for (const variable of ['DATABASE_URL', 'NATS_URL']) {
          const host = hostOf(env.get(variable));
          if (!host) continue;
          if (!composeServices[host])
            problems.push(`${where}: ${variable} points at ${host}, not a service of ${COMPOSE}`);
          else if (serviceName === migrateName && !dependsOn(body).has(host))
            problems.push(`${where}: does not depend on ${host} (${variable})`);
        }
        // Any other address of a service of this file (SMTP_URL -> mailpit): it is started before this one.
        for (const [variable, value] of env) {
          const host = /^[a-z][\w+.-]*:\/\//i.test(value ?? '') ? hostOf(value) : undefined;
          if (host && composeServices[host] && !dependsOnTransitively(serviceName).has(host))
            problems.push(`${where}: ${variable} points at ${host}, which it does not wait for (depends_on)`);
        }
      }
      expectNoProblems(problems);
    });

    it('publishes and health-checks the port the service listens on', () => {
      const port = listenPort(spec, composeEnv(service));
      const problems: string[] = [];
      const targets = seq(service.ports).map((p) =>
        isMap(p) ? Number(p.target) : Number(scalar(p)?.split('/')[0]?.split(':').at(-1)),
      );
      for (const target of [...targets, ...seq(service.expose).map(Number)])
        if (target !== port)
          problems.push(`${COMPOSE}: ${name} maps container port ${target}, but it listens on ${port}`);
      if (published && !targets.length)
        problems.push(`${COMPOSE}: ${name} (the public API) publishes no port`);
      const check = seq(map(service.healthcheck).test).map(String).join(' ');
      const [, checkPort, checkPath = ''] = /:(\d+)(\/[\w/-]*)/.exec(check) ?? [];
      if (Number(checkPort) !== port || checkPath !== '/health/ready' || !HEALTH_ROUTES.includes(checkPath))
        problems.push(
          `${COMPOSE}: ${name} healthcheck must request :${port}/health/ready, a route of ${HEALTH_FILE} (it runs: ${check || 'nothing'})`,
        );
      expectNoProblems(problems);
    });

    it('starts only after its migration completed and its infrastructure is ready', () => {
      const problems: string[] = [];
      if (dependsOn(service).get(migrateName) !== 'service_completed_successfully')
        problems.push(
          `${COMPOSE}: ${name} does not wait for ${migrateName} with condition service_completed_successfully`,
        );
      const database = hostOf(composeEnv(migrate).get('DATABASE_URL'));
      if (database && dependsOn(migrate).get(database) !== 'service_healthy')
        problems.push(`${COMPOSE}: ${migrateName} does not wait for ${database} to be healthy`);
      expectNoProblems(problems);
    });

    it('waits for nothing that waits for it (Compose refuses a dependency cycle)', () => {
      const problems = [name, migrateName]
        .filter((serviceName) => dependsOnTransitively(serviceName).has(serviceName))
        .map((serviceName) => `${COMPOSE}: ${serviceName} waits (depends_on) for itself through others`);
      expectNoProblems(problems);
    });

    it('starts only after the services it sends commands to are healthy', () => {
      // ingress (the HTTP edge) sends every command; the others what their code names. Of two services
      // calling each other (leads and calendar), only one can wait: Compose refuses a dependency cycle.
      const problems = calleesOf(name)
        .filter((callee) => dependsOn(service).get(callee) !== 'service_healthy')
        .filter((callee) => !dependsOnTransitively(callee).has(name))
        .map(
          (callee) =>
            `${COMPOSE}: ${name} sends commands to ${callee} but does not wait for it (condition service_healthy)`,
        );
      expectNoProblems(problems);
    });
  });

  describe(K8S, () => {
    const deployment = findObject('Deployment', name);
    const container = containerOf(deployment, name);
    const where = `${deployment?.file ?? K8S}: Deployment ${name}`;
    const { env, problems: envResolution, fromSecret } = k8sEnv(where, container);
    const port = listenPort(spec, env);
    const job = findObject('Job', `${name}-migrate`);
    const jobContainer = containerOf(job, 'migrate');
    const jobWhere = `${job?.file ?? K8S}: Job ${name}-migrate`;

    it(`has a Deployment running "${name}" with an environment the config accepts`, () => {
      withContext(`${K8S}: no Deployment ${name} in ${KUSTOMIZATION} resources`, () =>
        expect(deployment).toBeDefined(),
      );
      const problems = [...envResolution, ...envProblems(where, name, spec, env, IMAGE_ENV)];
      for (const variable of secretVariables(spec))
        if (env.has(variable) && !fromSecret.has(variable))
          problems.push(`${where}: ${variable} is a secret, so it must come from a Secret`);
      const args = seq(container.args).map(String);
      if (args.join(' ') !== name)
        problems.push(`${where}: args are [${args.join(', ')}], expected [${name}]`);
      if (container.command !== undefined)
        problems.push(`${where}: command replaces the image's entrypoint; use args`);
      const ports = seq(container.ports).map((p) => Number(map(p).containerPort));
      if (!ports.includes(port))
        problems.push(`${where}: containerPorts [${ports.join(', ')}] miss ${port}, the PORT it listens on`);
      expectNoProblems(problems);
    });

    it('probes the health routes on the port the service listens on', () => {
      const problems: string[] = [];
      const expected = {
        readinessProbe: '/health/ready',
        livenessProbe: '/health/live',
        startupProbe: undefined,
      };
      for (const [probe, path] of Object.entries(expected)) {
        const httpGet = map(map(container[probe]).httpGet);
        const actualPath = scalar(httpGet.path);
        if (!container[probe]) problems.push(`${where}: no ${probe}`);
        else if (!actualPath || !HEALTH_ROUTES.includes(actualPath))
          problems.push(
            `${where}: ${probe} path ${actualPath} is not a route of ${HEALTH_FILE} (${HEALTH_ROUTES.join(', ')})`,
          );
        else if (path && actualPath !== path)
          problems.push(`${where}: ${probe} path is ${actualPath}, expected ${path}`);
        else if (containerPort(container, httpGet.port) !== port)
          problems.push(
            `${where}: ${probe} port ${String(httpGet.port)} is not ${port}, the PORT it listens on`,
          );
      }
      expectNoProblems(problems);
    });

    it('runs locked down, with resources and a grace period for the graceful shutdown', () => {
      const problems = hardeningProblems(where, deployment, container);
      if (typeof podSpec(deployment).terminationGracePeriodSeconds !== 'number')
        problems.push(`${where}: terminationGracePeriodSeconds is not set`);
      expectNoProblems(problems);
    });

    it(`has a Service on port ${servicePort} that routes to the service port and selects no Job pod`, () => {
      const svc = findObject('Service', name);
      withContext(`${K8S}: no Service ${name}`, () => expect(svc).toBeDefined());
      const serviceSpec = map(svc?.body.spec);
      const selector = map(serviceSpec.selector);
      const problems: string[] = [];
      if (!selects(selector, podLabels(deployment)))
        problems.push(`${svc?.file}: Service ${name} does not select Deployment ${name}'s pods`);
      for (const other of k8sObjects.filter((o) => o.kind === 'Job'))
        if (selects(selector, podLabels(other)))
          problems.push(`${svc?.file}: Service ${name} also selects Job ${other.name}'s pods`);
      const ports = seq(serviceSpec.ports).map(map);
      if (!ports.some((p) => p.port === servicePort))
        problems.push(`${svc?.file}: Service ${name} has no port ${servicePort}`);
      for (const p of ports)
        if (containerPort(container, p.targetPort ?? p.port) !== port)
          problems.push(
            `${svc?.file}: Service ${name} targetPort ${String(p.targetPort)} is not ${port}, the PORT it listens on`,
          );
      expectNoProblems(problems);
    });

    it(`has a Job ${name}-migrate running "${name} migrate"`, () => {
      withContext(`${K8S}: no Job ${name}-migrate in ${KUSTOMIZATION} resources`, () =>
        expect(job).toBeDefined(),
      );
      const jobSpec = map(job?.body.spec);
      const { env: jobEnv, problems, fromSecret: jobSecrets } = k8sEnv(jobWhere, jobContainer);
      for (const variable of secretVariables(spec))
        if (jobEnv.has(variable) && !jobSecrets.has(variable))
          problems.push(`${jobWhere}: ${variable} is a secret, so it must come from a Secret`);
      problems.push(
        ...envProblems(jobWhere, name, spec, jobEnv, IMAGE_ENV),
        ...hardeningProblems(jobWhere, job, jobContainer),
      );
      const args = seq(jobContainer.args).map(String);
      if (args.join(' ') !== `${name} migrate`)
        problems.push(`${jobWhere}: args are [${args.join(', ')}], expected [${name}, migrate]`);
      if (typeof jobSpec.backoffLimit !== 'number') problems.push(`${jobWhere}: backoffLimit is not set`);
      if (typeof jobSpec.ttlSecondsAfterFinished !== 'number')
        problems.push(`${jobWhere}: ttlSecondsAfterFinished is not set`);
      if (!['Never', 'OnFailure'].includes(String(podSpec(job).restartPolicy)))
        problems.push(`${jobWhere}: restartPolicy must be Never or OnFailure`);
      expectNoProblems(problems);
    });

    it('has an autoscaler on CPU and a disruption budget for the Deployment', () => {
      const hpa = findObject('HorizontalPodAutoscaler', name);
      const pdb = findObject('PodDisruptionBudget', name);
      const problems: string[] = [];
      if (!hpa) problems.push(`${K8S}: no HorizontalPodAutoscaler ${name}`);
      else {
        const target = map(map(hpa.body.spec).scaleTargetRef);
        if (hpa.body.apiVersion !== 'autoscaling/v2')
          problems.push(`${hpa.file}: HPA ${name} is not autoscaling/v2`);
        if (target.kind !== 'Deployment' || target.name !== name)
          problems.push(`${hpa.file}: HPA ${name} does not scale Deployment ${name}`);
        const cpu = seq(map(hpa.body.spec).metrics).some((m) => map(map(m).resource).name === 'cpu');
        if (!cpu) problems.push(`${hpa.file}: HPA ${name} has no CPU metric`);
      }
      if (!pdb) problems.push(`${K8S}: no PodDisruptionBudget ${name}`);
      else {
        const pdbSpec = map(pdb.body.spec);
        if (!selects(map(map(pdbSpec.selector).matchLabels), podLabels(deployment)))
          problems.push(`${pdb.file}: PDB ${name} does not select Deployment ${name}'s pods`);
        const replicas = Number(map(deployment?.body.spec).replicas ?? 1);
        if (!(Number(pdbSpec.minAvailable) < replicas))
          problems.push(
            `${pdb.file}: PDB ${name} minAvailable ${String(pdbSpec.minAvailable)} blocks every eviction at ${replicas} replicas`,
          );
      }
      expectNoProblems(problems);
    });
  });
});

describe('public address of ingress', () => {
  // Links in emails and SMS status callbacks are built from PUBLIC_BASE_URL (delivery's, and leads' for form
  // verification links) and must reach ingress as clients do (its PUBLIC_URL); a default (localhost) would
  // send every recipient to their own machine.
  const linking = SERVICES.filter((s) => 'PUBLIC_BASE_URL' in s.spec).map((s) => s.name);

  it('is the base of the links delivery and leads send, in Compose and in Kubernetes', () => {
    expect(linking).toEqual(expect.arrayContaining(['delivery', 'leads']));
    const problems: string[] = [];
    const compose = (name: string): Env => composeEnv(map(composeServices[name]));
    const k8s = (name: string): Env => k8sEnv(K8S, containerOf(findObject('Deployment', name), name)).env;
    for (const [where, envOf] of [
      [COMPOSE, compose],
      [K8S, k8s],
    ] as const) {
      const ingress = envOf('ingress').get('PUBLIC_URL');
      if (!ingress || ingress === 'auto')
        problems.push(`${where}: ingress has no explicit PUBLIC_URL (${ingress ?? 'unset'})`);
      for (const name of linking) {
        const base = envOf(name).get('PUBLIC_BASE_URL');
        if (base?.replace(/\/$/, '') !== ingress?.replace(/\/$/, ''))
          problems.push(
            `${where}: ${name} PUBLIC_BASE_URL is ${base ?? 'unset'}, ingress's PUBLIC_URL ${ingress ?? 'unset'}`,
          );
      }
    }
    expectNoProblems(problems);
  });
});

describe(KUSTOMIZATION, () => {
  it(`lists every manifest of ${K8S} (example files excepted) and only existing ones`, () => {
    const files = listDir(K8S).filter(
      (f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml' && !EXAMPLE.test(f),
    );
    const problems = [
      ...files
        .filter((f) => !kustomizeResources.includes(f))
        .map((f) => `${KUSTOMIZATION}: resources miss ${f}`),
      ...kustomizeResources
        .filter((r) => !files.includes(r))
        .map((r) => `${KUSTOMIZATION}: resource ${r} is not a manifest in ${K8S}`),
      ...kustomizeResources
        .filter((r) => EXAMPLE.test(r))
        .map((r) => `${KUSTOMIZATION}: example ${r} must not be deployed`),
    ];
    expectNoProblems(problems);
  });

  it('contains no Secret values', () => {
    const secrets = k8sObjects
      .filter((o) => o.kind === 'Secret')
      .map((o) => `${o.file}: Secret ${o.name} belongs outside the base`);
    expectNoProblems(secrets);
  });
});

describe('images', () => {
  const platformTag = scalar(
    seq(kustomization.images)
      .map(map)
      .find((i) => i.name === PLATFORM_IMAGE)?.newTag,
  );

  it('are pinned everywhere (a tag, not :latest), with one platform release', () => {
    const problems: string[] = [];
    if (!platformTag || platformTag === 'latest')
      problems.push(`${KUSTOMIZATION}: images must pin ${PLATFORM_IMAGE} with newTag`);
    const check = (where: string, image: string | undefined): void => {
      const problem = imageProblem(where, image);
      if (problem) problems.push(problem);
      else if (image && imageRepo(image) === PLATFORM_IMAGE && imageTag(image) !== platformTag)
        problems.push(`${where}: ${image} is not the release ${platformTag} pinned in ${KUSTOMIZATION}`);
    };
    for (const [serviceName, body] of Object.entries(composeServices))
      check(`${COMPOSE}: ${serviceName}`, scalar(map(body).image));
    for (const workload of k8sObjects.filter((o) => ['Deployment', 'Job'].includes(o.kind)))
      for (const c of [...seq(podSpec(workload).containers), ...seq(podSpec(workload).initContainers)].map(
        map,
      ))
        check(`${workload.file}: ${workload.kind} ${workload.name}`, scalar(c.image));
    const stageNames = new Set<string>();
    for (const stage of stages) {
      if (!stageNames.has(stage.image)) check(`${DOCKERFILE}: FROM`, stage.image);
      if (stage.name) stageNames.add(stage.name);
    }
    expectNoProblems(problems);
  });
});

describe(DOCKERFILE, () => {
  it('builds every service of apps/, installs its production dependencies and documents its port', () => {
    const problems: string[] = [];
    const runs = stages.flatMap((stage) => stage.instructions.filter((i) => i.op === 'RUN'));
    const build = runs.find((i) => /\brun build\b/.test(i.args));
    const install = runs.find((i) => /\binstall\b.*--prod\b/.test(i.args));
    const filters = (run: typeof build): string[] =>
      [...(run?.args ?? '').matchAll(/--filter-prod\s+"?@rocketlead\/([\w-]+)\.\.\."?/g)].map(
        (m) => m[1] ?? '',
      );
    if (!build) problems.push(`${DOCKERFILE}: no RUN ... run build`);
    if (!install) problems.push(`${DOCKERFILE}: no RUN ... install --prod`);
    const exposed = (lastArgs('EXPOSE') ?? '').split(/\s+/).map(Number);
    for (const app of serviceApps()) {
      if (build && !filters(build).includes(app))
        problems.push(`${DOCKERFILE}: the build does not include --filter-prod "@rocketlead/${app}..."`);
      if (install && !filters(install).includes(app))
        problems.push(
          `${DOCKERFILE}: the production install does not include --filter-prod "@rocketlead/${app}..."`,
        );
      const known = SERVICES.find((c) => c.name === app);
      if (!known) problems.push(`apps/${app}: a service this test does not know; add it to SERVICES`);
      else if (!exposed.includes(Number(known.spec.PORT?.default)))
        problems.push(`${DOCKERFILE}: EXPOSE does not list ${app}'s port ${known.spec.PORT?.default}`);
    }
    expectNoProblems(problems);
  });

  it('builds with the Node of .nvmrc and the pnpm of package.json', () => {
    const node = readRepoFile('.nvmrc').trim();
    const packageManager = String(map(JSON.parse(readRepoFile('package.json')) as unknown).packageManager);
    const problems: string[] = [];
    for (const stage of stages.filter((s) => imageRepo(s.image) === 'node'))
      if (!imageTag(stage.image)?.startsWith(`${node}-`) && imageTag(stage.image) !== node)
        problems.push(`${DOCKERFILE}: FROM ${stage.image} is not Node ${node} (.nvmrc)`);
    const pnpm = /pnpm@(\d[\w.-]*)/.exec(dockerfile)?.[0];
    if (pnpm !== packageManager)
      problems.push(
        `${DOCKERFILE}: installs ${pnpm ?? 'no pinned pnpm'}, package.json has ${packageManager}`,
      );
    expectNoProblems(problems);
  });

  it('runs the final stage as a non-root user, through the entrypoint script', () => {
    const problems: string[] = [];
    const user = lastArgs('USER')?.split(':')[0];
    if (!user || user === 'root' || user === '0')
      problems.push(`${DOCKERFILE}: final stage runs as ${user ?? 'root (no USER)'}`);
    const entrypoint = execForm(lastArgs('ENTRYPOINT') ?? '')[0] ?? '';
    const copied = finalStage?.instructions.some(
      (i) => i.op === 'COPY' && i.args.includes(ENTRYPOINT) && i.args.trim().endsWith(entrypoint),
    );
    if (!entrypoint || !copied)
      problems.push(
        `${DOCKERFILE}: ENTRYPOINT ${entrypoint || '(none)'} is not ${ENTRYPOINT} copied into the final stage`,
      );
    expectNoProblems(problems);
  });
});

describe(`${PLATFORM_RUNNER} (pnpm start)`, () => {
  // Its SERVICES entries, read as text (importing the script would start the platform):
  // `{ name: 'leads', port: process.env.LEADS_PORT ?? '3001' }`.
  const runner = [
    ...readRepoFile(PLATFORM_RUNNER).matchAll(/\{\s*name:\s*'([\w-]+)',\s*port:\s*([^}]*)\}/g),
  ].map(([, name = '', port = '']) => ({
    name,
    variable: /process\.env\.(\w+)/.exec(port)?.[1],
    fallback: /'(\d+)'\s*,?\s*$/.exec(port.trim())?.[1],
  }));

  it("runs every service of apps/ on its own <SERVICE>_PORT, defaulting to the service's port", () => {
    const problems: string[] = [];
    const listed = runner.map((r) => r.name);
    for (const app of serviceApps())
      if (!listed.includes(app)) problems.push(`${PLATFORM_RUNNER}: SERVICES does not run ${app}`);
    for (const { name, variable, fallback } of runner) {
      const known = SERVICES.find((c) => c.name === name);
      if (!known) {
        problems.push(`${PLATFORM_RUNNER}: runs ${name}, which is no service of apps/ known to this test`);
        continue;
      }
      if (variable !== `${name.toUpperCase()}_PORT`)
        problems.push(
          `${PLATFORM_RUNNER}: ${name}'s port comes from ${variable}, not ${name.toUpperCase()}_PORT`,
        );
      if (fallback !== known.spec.PORT?.default)
        problems.push(
          `${PLATFORM_RUNNER}: ${name}'s default port is ${fallback}, its config's PORT default ${known.spec.PORT?.default}`,
        );
    }
    const fallbacks = runner.map((r) => r.fallback);
    if (new Set(fallbacks).size !== fallbacks.length)
      problems.push(`${PLATFORM_RUNNER}: two services share a default port (${fallbacks.join(', ')})`);
    expectNoProblems(problems);
  });

  it('starts the services a service sends commands to before it (but for two that call each other)', () => {
    const problems: string[] = [];
    const position = (name: string): number => runner.findIndex((r) => r.name === name);
    for (const { name } of SERVICES)
      for (const callee of calleesOf(name))
        if (!calleesOf(callee).includes(name) && position(callee) > position(name))
          problems.push(`${PLATFORM_RUNNER}: ${name} calls ${callee}, which SERVICES starts after it`);
    expectNoProblems(problems);
  });
});

describe(ENTRYPOINT, () => {
  // Runs the real script against stand-in dist files that print what they were started with.
  const report =
    'console.log(JSON.stringify({ file: __filename.split("/apps/")[1], args: process.argv.slice(2) }))';
  let appDir = '';
  // Made in a hook (not while collecting) so that afterAll removes it however the tests end.
  beforeAll(() => {
    appDir = mkdtempSync(join(tmpdir(), 'rl-entrypoint-'));
    for (const { name } of SERVICES) {
      mkdirSync(join(appDir, 'apps', name, 'dist'), { recursive: true });
      writeFileSync(join(appDir, 'apps', name, 'dist', 'main.js'), report);
    }
    writeFileSync(join(appDir, 'apps', 'ingress', 'dist', 'cli.js'), report);
  });
  afterAll(() => {
    if (appDir) rmSync(appDir, { recursive: true, force: true });
  });

  const run = (...args: string[]): { status: number | null; out: string } => {
    const result = spawnSync('sh', [join(ROOT, ENTRYPOINT), ...args], {
      encoding: 'utf8',
      env: {
        ...process.env,
        APP_DIR: appDir,
        PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
      },
    });
    return { status: result.status, out: result.stdout.trim() };
  };

  it.each(SERVICES.map((s) => s.name))('starts %s and its migration', (name) => {
    withContext(`${ENTRYPOINT} ${name}`, () =>
      expect(run(name)).toEqual({
        status: 0,
        out: JSON.stringify({ file: `${name}/dist/main.js`, args: [] }),
      }),
    );
    withContext(`${ENTRYPOINT} ${name} migrate`, () =>
      expect(run(name, 'migrate')).toEqual({
        status: 0,
        out: JSON.stringify({ file: `${name}/dist/main.js`, args: ['migrate'] }),
      }),
    );
  });

  it('passes the ingress cli its arguments unchanged', () => {
    withContext(`${ENTRYPOINT} ingress cli`, () =>
      expect(run('ingress', 'cli', 'bootstrap', '--org', 'Acme Inc')).toEqual({
        status: 0,
        out: JSON.stringify({ file: 'ingress/dist/cli.js', args: ['bootstrap', '--org', 'Acme Inc'] }),
      }),
    );
  });

  it('refuses anything else', () => {
    for (const args of [
      [],
      ['billing'],
      ['leads', 'cli', 'x'],
      ['leads', 'migrate', 'now'],
      ['leads', 'start'],
    ])
      withContext(`${ENTRYPOINT} ${args.join(' ')} should fail`, () =>
        expect(run(...args).status).not.toBe(0),
      );
  });
});
