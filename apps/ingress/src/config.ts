import { loadConfig, parsers, type ConfigOf } from '@rocketlead/observability';

export const INGRESS_ENV = {
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
  PORT: { default: '3000', parse: parsers.port, description: 'Public HTTP port' },
  HOST: { default: '0.0.0.0', parse: parsers.string, description: 'HTTP bind address' },
  PUBLIC_URL: {
    default: 'auto',
    parse: (raw: string) => (raw === 'auto' ? raw : parsers.url('http', 'https')(raw).replace(/\/+$/, '')),
    description: 'Base URL clients use to reach ingress (for webhook URLs); auto = http://localhost:PORT',
  },
  DB_POOL_SIZE: {
    default: '20',
    parse: parsers.positiveInt,
    description: 'Postgres connections per process',
  },
  RPC_TIMEOUT_MS: {
    default: '10000',
    parse: parsers.positiveInt,
    description: 'Timeout of requests to other services',
  },
  LOG_LEVEL: {
    default: 'info',
    parse: parsers.oneOf('debug', 'info', 'warn', 'error'),
    description: 'Log level',
  },
};

export type IngressConfig = ConfigOf<typeof INGRESS_ENV>;

export function loadIngressConfig(env: NodeJS.ProcessEnv = process.env): IngressConfig {
  const config = loadConfig(INGRESS_ENV, env);
  return {
    ...config,
    PUBLIC_URL: config.PUBLIC_URL === 'auto' ? `http://localhost:${config.PORT}` : config.PUBLIC_URL,
  };
}
