// Environment config validated at boot: every bad variable is reported in one readable error.

export interface EnvVarSpec<T> {
  /** Default used when the variable is unset or empty; omit to make the variable required. */
  default?: string;
  parse: (raw: string) => T;
  description: string;
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
    } catch (error) {
      problems.push(`${name}=${JSON.stringify(raw)} is invalid: ${(error as Error).message}`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return out as ConfigOf<S>;
}

export const parsers = {
  string: (raw: string): string => raw,
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
  namespace: (raw: string): string => {
    if (raw !== '' && !/^[a-z0-9][a-z0-9-]{0,30}$/.test(raw))
      throw new Error('must be lowercase letters, digits and dashes');
    return raw;
  },
};

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
      parse: parsers.url('nats'),
      description: 'NATS server(s) with JetStream',
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
  };
}
