import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { connect } from 'nats';

export interface Infrastructure {
  /** Server URL; tests create their own databases on it. */
  postgresUrl: string;
  natsUrl: string;
  source: 'env' | 'testcontainers' | 'local';
  stop(): Promise<void>;
}

const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';
const LOCAL_NATS = 'nats://127.0.0.1:4222';

async function reachable(postgresUrl: string, natsUrl: string): Promise<boolean> {
  try {
    const pg = new Client({ connectionString: postgresUrl, connectionTimeoutMillis: 1_000 });
    await pg.connect();
    await pg.end();
    const nc = await connect({ servers: natsUrl, timeout: 1_000 });
    await nc.close();
    return true;
  } catch {
    return false;
  }
}

async function startContainers(): Promise<Infrastructure> {
  // Loaded only here: machines with DATABASE_URL/NATS_URL never touch Docker.
  const { GenericContainer, Wait } = await import('testcontainers');
  const postgres = await new GenericContainer('postgres:15-alpine')
    .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  const nats = await new GenericContainer('nats:2.9-alpine')
    .withCommand(['-js'])
    .withExposedPorts(4222)
    .start();
  return {
    postgresUrl: `postgres://postgres@${postgres.getHost()}:${postgres.getMappedPort(5432)}/postgres`,
    natsUrl: `nats://${nats.getHost()}:${nats.getMappedPort(4222)}`,
    source: 'testcontainers',
    stop: async () => {
      await Promise.all([postgres.stop(), nats.stop()]);
    },
  };
}

async function containerRuntimeAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

/**
 * DATABASE_URL/NATS_URL when set; otherwise Testcontainers. Where no container runtime exists either,
 * the standard local ports are tried so a developer machine with both services still runs the suite.
 */
export async function startInfrastructure(env: NodeJS.ProcessEnv = process.env): Promise<Infrastructure> {
  if (env.DATABASE_URL && env.NATS_URL) {
    return {
      postgresUrl: env.DATABASE_URL,
      natsUrl: env.NATS_URL,
      source: 'env',
      stop: () => Promise.resolve(),
    };
  }
  if (await containerRuntimeAvailable()) return startContainers();
  if (await reachable(LOCAL_POSTGRES, LOCAL_NATS)) {
    return {
      postgresUrl: LOCAL_POSTGRES,
      natsUrl: LOCAL_NATS,
      source: 'local',
      stop: () => Promise.resolve(),
    };
  }
  throw new Error(
    'No test infrastructure: set DATABASE_URL and NATS_URL, run a container runtime for Testcontainers, ' +
      'or start Postgres on 127.0.0.1:5432 and NATS with JetStream on 127.0.0.1:4222',
  );
}

/** A unique, short name for one test run: used for its database and its NATS namespace. */
export function uniqueName(prefix = 't'): string {
  return `${prefix}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}
