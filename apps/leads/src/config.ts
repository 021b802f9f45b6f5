import { loadConfig, parsers, type ConfigOf } from '@rocketlead/observability';

export const LEADS_ENV = {
  DATABASE_URL: {
    default: 'postgres://postgres@127.0.0.1:5432/rocketlead',
    parse: parsers.url('postgres', 'postgresql'),
    description: 'Postgres connection string; the database is created if missing',
  },
  NATS_URL: {
    default: 'nats://127.0.0.1:4222',
    parse: parsers.url('nats'),
    description: 'NATS server(s) with JetStream',
  },
  RL_NAMESPACE: {
    default: '',
    parse: parsers.namespace,
    description: 'Prefix for NATS subjects and streams, to share one NATS between environments',
  },
  PORT: { default: '3001', parse: parsers.port, description: 'HTTP port for health endpoints' },
  HOST: { default: '0.0.0.0', parse: parsers.string, description: 'HTTP bind address' },
  DB_POOL_SIZE: {
    default: '20',
    parse: parsers.positiveInt,
    description: 'Postgres connections per process',
  },
  LOG_LEVEL: {
    default: 'info',
    parse: parsers.oneOf('debug', 'info', 'warn', 'error'),
    description: 'Log level',
  },
};

export type LeadsConfig = ConfigOf<typeof LEADS_ENV>;

export const loadLeadsConfig = (env: NodeJS.ProcessEnv = process.env): LeadsConfig =>
  loadConfig(LEADS_ENV, env);
