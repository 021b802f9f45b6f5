import { connect, type NatsConnection } from 'nats';
import { WireNames, type StreamKey } from '@rocketlead/contracts';
import { EventCollector } from './event-collector';
import { startInfrastructure, uniqueName, type Infrastructure } from './infrastructure';
import { createTestDatabase, type TestDatabase } from './test-database';

/** The variables a service's config loader needs to run in a test environment. */
export type ServiceEnv = Record<'DATABASE_URL' | 'NATS_URL' | 'RL_NAMESPACE' | 'PORT', string>;

export interface TestEnvironmentOptions {
  /** Prefix of the database's and the namespace's unique names. */
  name: string;
  /**
   * Removes the namespace's streams at stop(): deleteStreams of @rocketlead/messaging, passed in because
   * messaging's own tests depend on this package.
   */
  deleteStreams(nc: NatsConnection, names: WireNames): Promise<void>;
}

/** A fresh database and NATS namespace on the test infrastructure, and a NATS connection to it. */
export interface TestEnvironment {
  infra: Infrastructure;
  db: TestDatabase;
  namespace: string;
  names: WireNames;
  nc: NatsConnection;
  /** DATABASE_URL, NATS_URL and RL_NAMESPACE of this environment, and PORT 0. */
  env: ServiceEnv;
  /** Adds a step to stop(). Steps run latest first, before the streams, NATS and the database go. */
  onStop(step: () => Promise<unknown>): void;
  /** Collects every event of the stream from now on, until stop(). */
  collect(stream: StreamKey): Promise<EventCollector>;
  /** Undoes everything, latest first. */
  stop(): Promise<void>;
}

/** Runs `build` with a stop list; if it throws, what it had set up is stopped before the error goes on. */
async function withStopSteps<T>(
  build: (onStop: (step: () => Promise<unknown>) => void, stop: () => Promise<void>) => Promise<T>,
): Promise<T> {
  const steps: (() => Promise<unknown>)[] = [];
  const stop = async (): Promise<void> => {
    for (const step of steps.splice(0).reverse()) await step();
  };
  try {
    return await build((step) => steps.push(step), stop);
  } catch (error) {
    await stop();
    throw error;
  }
}

export function startTestEnvironment(options: TestEnvironmentOptions): Promise<TestEnvironment> {
  return withStopSteps(async (onStop, stop) => {
    const infra = await startInfrastructure();
    onStop(() => infra.stop());
    const namespace = uniqueName(options.name);
    const db = await createTestDatabase(infra.postgresUrl, namespace);
    onStop(() => db.drop());
    const nc = await connect({ servers: infra.natsUrl });
    const names = new WireNames(namespace);
    onStop(async () => {
      await options.deleteStreams(nc, names);
      await nc.close();
    });
    return {
      infra,
      db,
      namespace,
      names,
      nc,
      env: { DATABASE_URL: db.url, NATS_URL: infra.natsUrl, RL_NAMESPACE: namespace, PORT: '0' },
      onStop,
      collect: async (stream) => {
        const collector = await EventCollector.start(nc, names.stream(stream).name);
        onStop(() => collector.stop());
        return collector;
      },
      stop,
    };
  });
}

export interface ServiceAppOptions<Config, App extends { close(): Promise<void> }> {
  /** The service's config loader, given the environment's variables. */
  loadConfig(env: ServiceEnv): Config;
  /** The service's migrations (schema and streams). */
  migrate(config: Config): Promise<unknown>;
  /** Boots one instance of the service in this process. */
  start(config: Config): Promise<App>;
}

/** A service booted in this process against a test environment. */
export interface ServiceApp<Config, App> {
  config: Config;
  /** The first instance. */
  app: App;
  /** Every instance still running; the environment's stop() closes them. A test may close one itself. */
  apps: App[];
  /** Boots one more instance (a replica, or a restart). */
  boot(): Promise<App>;
}

/** Migrates the environment's database and namespace for a service and boots one instance of it. */
export async function startServiceIn<Config, App extends { close(): Promise<void> }>(
  environment: TestEnvironment,
  options: ServiceAppOptions<Config, App>,
): Promise<ServiceApp<Config, App>> {
  const config = options.loadConfig(environment.env);
  await options.migrate(config);
  const apps: App[] = [];
  environment.onStop(async () => {
    for (const app of apps.splice(0)) await app.close();
  });
  const boot = async (): Promise<App> => {
    const app = await options.start(config);
    apps.push(app);
    return app;
  };
  return { config, app: await boot(), apps, boot };
}

export type ServiceUnderTest<Config, App> = TestEnvironment & ServiceApp<Config, App>;

/** A fresh test environment with one service booted in it; stop() closes the service and removes it all. */
export async function startServiceApp<Config, App extends { close(): Promise<void> }>(
  options: TestEnvironmentOptions & ServiceAppOptions<Config, App>,
): Promise<ServiceUnderTest<Config, App>> {
  const environment = await startTestEnvironment(options);
  try {
    return { ...environment, ...(await startServiceIn(environment, options)) };
  } catch (error) {
    await environment.stop();
    throw error;
  }
}
