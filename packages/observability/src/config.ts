// Environment config validated at boot: every bad variable is reported in one readable error.
import { accessSync, constants, statSync } from 'node:fs';

export interface EnvVarSpec<T> {
  /** Default used when the variable is unset or empty; omit to make the variable required. */
  default?: string;
  parse: (raw: string) => T;
  description: string;
  /** Cross-variable rule, checked when the variable is set and parsed: returns the problem, if any. */
  check?: (env: NodeJS.ProcessEnv) => string | undefined;
  /** How the raw value may appear in an error: secrets are masked. */
  display?: (raw: string) => string;
}

export type EnvSpec = Record<string, EnvVarSpec<unknown>>;
export type ConfigOf<S extends EnvSpec> = { [K in keyof S]: S[K] extends EnvVarSpec<infer T> ? T : never };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig<S extends EnvSpec>(spec: S, env: NodeJS.ProcessEnv = process.env): ConfigOf<S> {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(spec)) {
    const raw = env[name] === undefined || env[name] === '' ? item.default : env[name];
    if (raw === undefined) {
      problems.push(`${name} is required (${item.description})`);
      continue;
    }
    try {
      out[name] = item.parse(raw);
      const problem = env[name] ? item.check?.(env) : undefined;
      if (problem) problems.push(`${name}: ${problem}`);
    } catch (error) {
      problems.push(
        `${name}=${JSON.stringify(item.display ? item.display(raw) : raw)} is invalid: ${(error as Error).message}`,
      );
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return out as ConfigOf<S>;
}

const set = (env: NodeJS.ProcessEnv, name: string): boolean => (env[name] ?? '') !== '';

export const parsers = {
  string: (raw: string): string => raw,
  /** A readable file's path; empty means "not used". */
  optionalFile: (raw: string): string => {
    if (raw === '') return raw;
    let stat;
    try {
      stat = statSync(raw);
      accessSync(raw, constants.R_OK);
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new Error(
        code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'file is not readable' : 'cannot read file',
      );
    }
    if (!stat.isFile()) throw new Error('is not a file');
    return raw;
  },
  port: (raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error('must be a port number 0-65535');
    return n;
  },
  positiveInt: (raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0) throw new Error('must be a positive integer');
    return n;
  },
  url:
    (...protocols: string[]) =>
    (raw: string): string => {
      let parsed: URL;
      try {
        parsed = new URL(raw);
      } catch {
        throw new Error('must be a URL');
      }
      if (protocols.length && !protocols.includes(parsed.protocol.replace(/:$/, '')))
        throw new Error(`must use ${protocols.join(' or ')}`);
      return raw;
    },
  oneOf:
    <T extends string>(...values: T[]) =>
    (raw: string): T => {
      if (!values.includes(raw as T)) throw new Error(`must be one of ${values.join(', ')}`);
      return raw as T;
    },
  /** A duration such as `90s`, `15m`, `24h` or `7d`, in milliseconds; `min` refuses anything shorter. */
  duration:
    (min?: { ms: number; why: string }) =>
    (raw: string): number => {
      const match = /^(\d+)(s|m|h|d)$/.exec(raw.trim());
      if (!match) throw new Error('must be a number with a unit s, m, h or d, e.g. 24h or 7d');
      const unitMs = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
      const ms = Number(match[1]) * unitMs;
      if (ms <= 0 || !Number.isSafeInteger(ms)) throw new Error('must be a positive duration');
      if (min && ms < min.ms) throw new Error(`must be at least ${min.why}`);
      return ms;
    },
  /**
   * Waits between the attempts of a retried operation, `10s,1m,5m` → milliseconds (one retry per step, so a
   * schedule of n steps allows n + 1 attempts).
   */
  retrySchedule: (raw: string): number[] => {
    const steps = raw.split(',').map((part) => part.trim());
    if (steps.length === 0 || steps.length > 20 || steps.some((step) => step === ''))
      throw new Error('must be 1 to 20 comma-separated durations, e.g. 10s,1m,5m,30m,2h');
    return steps.map((step) => parsers.duration()(step));
  },
  namespace: (raw: string): string => {
    if (raw !== '' && !/^[a-z0-9][a-z0-9-]{0,30}$/.test(raw))
      throw new Error('must be lowercase letters, digits and dashes');
    return raw;
  },
};

// A user (with or without password) inside any of the NATS_URL servers.
const natsUrlUser = (env: NodeJS.ProcessEnv): boolean =>
  (env.NATS_URL ?? '').split(',').some((server) => /^[a-z]+:\/\/[^/@]+@/i.test(server.trim()));

/** Variables every service reads, with working local defaults; a service adds its own to these. */
export function commonServiceEnv(defaultPort: number) {
  return {
    DATABASE_URL: {
      default: 'postgres://postgres@127.0.0.1:5432/rocketlead',
      parse: parsers.url('postgres', 'postgresql'),
      description: 'Postgres connection string; the database is created if missing',
    },
    NATS_URL: {
      default: 'nats://127.0.0.1:4222',
      parse: (raw: string): string => {
        for (const server of raw.split(',')) parsers.url('nats', 'tls')(server.trim());
        return raw;
      },
      description: 'NATS server(s) with JetStream; nats://user:password@host:4222 authenticates with a user',
      display: (raw: string) => raw.replace(/\/\/([^/@:]*)(:[^/@]*)?@/g, '//$1:[redacted]@'),
    },
    NATS_TOKEN: {
      default: '',
      parse: parsers.string,
      description: 'NATS authentication token',
      display: () => '[redacted]',
      check: (env: NodeJS.ProcessEnv) =>
        set(env, 'NATS_CREDS')
          ? 'set NATS_TOKEN or NATS_CREDS, not both'
          : natsUrlUser(env)
            ? 'set NATS_TOKEN or a user in NATS_URL, not both'
            : undefined,
    },
    NATS_CREDS: {
      default: '',
      parse: parsers.optionalFile,
      description: 'Path of a NATS .creds file (user JWT and NKey seed)',
      check: (env: NodeJS.ProcessEnv) =>
        natsUrlUser(env) ? 'set NATS_CREDS or a user in NATS_URL, not both' : undefined,
    },
    NATS_TLS_CA: {
      default: '',
      parse: parsers.optionalFile,
      description: 'PEM file of the CA that signed the NATS server certificate',
    },
    NATS_TLS_CERT: {
      default: '',
      parse: parsers.optionalFile,
      description: 'PEM client certificate for NATS (mutual TLS); only together with NATS_TLS_KEY',
      check: (env: NodeJS.ProcessEnv) =>
        set(env, 'NATS_TLS_KEY') ? undefined : 'set NATS_TLS_KEY too (certificate and key go together)',
    },
    NATS_TLS_KEY: {
      default: '',
      parse: parsers.optionalFile,
      description: 'PEM private key of NATS_TLS_CERT',
      check: (env: NodeJS.ProcessEnv) =>
        set(env, 'NATS_TLS_CERT') ? undefined : 'set NATS_TLS_CERT too (certificate and key go together)',
    },
    RL_NAMESPACE: {
      default: '',
      parse: parsers.namespace,
      description: 'Prefix for NATS subjects and streams, to share one NATS between environments',
    },
    PORT: { default: String(defaultPort), parse: parsers.port, description: 'HTTP port' },
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
    RPC_TIMEOUT_MS: {
      default: '10000',
      parse: parsers.positiveInt,
      description: 'How long every request to another service waits for its reply (then 503)',
    },
  };
}

/**
 * Retention of the event tables of a service with an outbox (leads, calendar): how long handled rows are kept
 * before the relay deletes them.
 */
export function eventRetentionEnv() {
  return {
    OUTBOX_RETENTION: {
      default: '24h',
      parse: parsers.duration(),
      description: 'How long published outbox rows are kept (for inspection) before deletion',
    },
    INBOX_RETENTION: {
      default: '14d',
      // An inbox row is what makes a redelivered event a no-op. JetStream can redeliver an event that was
      // handled but not acked (a crash between commit and ack) whenever the consumer comes back, for as long
      // as the stream keeps the message (7 days), and the outbox may publish a second copy once the stream's
      // 2-minute duplicate window has passed. Both are covered only while the row is kept at least as long
      // as the stream keeps messages.
      parse: parsers.duration({ ms: 7 * 86_400_000, why: '7d, the time the event streams keep a message' }),
      description: "How long inbox rows (handled event ids) are kept; at least the streams' 7-day max age",
    },
    DEAD_LETTER_RETENTION: {
      default: '30d',
      parse: parsers.duration(),
      description: 'How long dead-lettered outbox rows and dead timers are kept for inspection and replay',
    },
  };
}

/** Where ingress is reached from outside, for links a service puts in what it sends (emails, callbacks). */
export function publicBaseUrlEnv(usedFor: string) {
  return {
    PUBLIC_BASE_URL: {
      default: 'http://localhost:3000',
      // Without trailing slashes: paths are appended to it.
      parse: (raw: string): string => parsers.url('http', 'https')(raw).replace(/\/+$/, ''),
      description: `Where ingress is reached from outside: ${usedFor}`,
    },
  };
}
