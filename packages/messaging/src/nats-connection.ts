import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  connect,
  credsAuthenticator,
  Events,
  NatsError,
  type Authenticator,
  type ConnectionOptions,
  type NatsConnection,
} from 'nats';
import { JsonLogger } from '@rocketlead/observability';

/** How a service proves who it is to NATS; every field is optional (an open local server needs none). */
export interface NatsSecurityOptions {
  /** NATS_TOKEN */
  token?: string;
  /** NATS_CREDS: path of a .creds file (user JWT + NKey seed), re-read on every (re)connect. */
  credsFile?: string;
  /** NATS_TLS_CA / NATS_TLS_CERT / NATS_TLS_KEY: file paths; cert and key only together. */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

export interface NatsConnectOptions extends NatsSecurityOptions {
  /** One or more comma-separated server URLs; `nats://user:pass@host:4222` carries a user and password. */
  url: string;
  name: string;
  logger?: JsonLogger;
  /**
   * A service keeps retrying a rejected credential (a rotated secret or a user added late must not need a
   * restart) while its readiness reports why; a one-shot job (migrations) gives up at once instead.
   */
  failOnAuthError?: boolean;
  /** Stops retrying (the connect rejects): a shutdown while NATS still refuses. */
  signal?: AbortSignal;
}

/** The NATS_* variables of a service config, as validated by commonServiceEnv. */
export interface NatsEnvConfig {
  NATS_URL: string;
  NATS_TOKEN?: string;
  NATS_CREDS?: string;
  NATS_TLS_CA?: string;
  NATS_TLS_CERT?: string;
  NATS_TLS_KEY?: string;
}

export interface NatsStatus {
  up: boolean;
  /** Why NATS is down, naming NATS (never a secret). */
  reason?: string;
}

/** The security options a validated config asks for (empty variables mean "not used"). */
export function natsSecurity(config: NatsEnvConfig): NatsSecurityOptions {
  const tls = {
    ...(config.NATS_TLS_CA ? { caFile: config.NATS_TLS_CA } : {}),
    ...(config.NATS_TLS_CERT ? { certFile: config.NATS_TLS_CERT } : {}),
    ...(config.NATS_TLS_KEY ? { keyFile: config.NATS_TLS_KEY } : {}),
  };
  return {
    ...(config.NATS_TOKEN ? { token: config.NATS_TOKEN } : {}),
    ...(config.NATS_CREDS ? { credsFile: config.NATS_CREDS } : {}),
    ...(Object.keys(tls).length ? { tls } : {}),
  };
}

export interface ParsedNatsUrl {
  /** Server addresses without credentials, as nats.js takes them. */
  servers: string[];
  user?: string;
  pass?: string;
}

/**
 * Splits NATS_URL into servers and the user/password it carries. nats.js ignores credentials inside a
 * server URL (it keeps only host and port), so they are taken out here and sent as user/pass.
 */
export function parseNatsUrl(url: string): ParsedNatsUrl {
  const out: ParsedNatsUrl = { servers: [] };
  for (const part of url.split(',').map((s) => s.trim())) {
    if (!part) continue;
    const match = /^([a-z]+:\/\/)?(?:([^@/]*)@)?(.*)$/i.exec(part);
    const [, scheme = '', userinfo, rest = ''] = match ?? [];
    out.servers.push(`${scheme}${rest}`);
    if (userinfo !== undefined && out.user === undefined) {
      const colon = userinfo.indexOf(':');
      const decode = (s: string) => {
        try {
          return decodeURIComponent(s);
        } catch {
          return s;
        }
      };
      out.user = decode(colon === -1 ? userinfo : userinfo.slice(0, colon));
      if (colon !== -1) out.pass = decode(userinfo.slice(colon + 1));
    }
  }
  return out;
}

/** NATS_URL fit for a log line or an error: any password (or a token in the user part) is masked. */
export function redactNatsUrl(url: string): string {
  return url
    .split(',')
    .map((part) =>
      part.replace(/^([a-z]+:\/\/)?([^@/]*)@/i, (_all, scheme: string | undefined, info: string) => {
        const colon = info.indexOf(':');
        const user = colon === -1 ? '[redacted]' : info.slice(0, colon);
        return `${scheme ?? ''}${user}:[redacted]@`;
      }),
    )
    .join(',');
}

/** A readable reason naming NATS for a failed connect or a connection error. */
export function describeNatsError(error: unknown): string {
  const code = error instanceof NatsError ? error.code : (error as { code?: string } | undefined)?.code;
  const message = (error instanceof Error ? error.message : String(error)).replace(/^'(.*)'$/, '$1');
  if (isAuthCode(code)) return `NATS authentication failed: ${message}`;
  if (code === 'CONNECTION_REFUSED') return 'NATS unreachable: connection refused';
  if (code === 'PERMISSIONS_VIOLATION') return `NATS permissions violation: ${message}`;
  if (/certificate|tls|ssl/i.test(message) || /^ERR_TLS|^ERR_SSL|CERT/.test(String(code)))
    return `NATS TLS failed: ${message}`;
  return `NATS connection failed: ${message}`;
}

function isAuthCode(code: string | undefined): boolean {
  return (
    code === 'AUTHORIZATION_VIOLATION' ||
    code === 'AUTHENTICATION_EXPIRED' ||
    code === 'AUTHENTICATION_TIMEOUT' ||
    code === 'ACCOUNT_EXPIRED'
  );
}

// The last known problem of each live connection, and of the connect attempts of this process (boot).
const problems = new WeakMap<NatsConnection, { reason?: string }>();
let bootStatus: NatsStatus = { up: false, reason: 'NATS connecting' };

/** Status of this process's first NATS connection, for readiness while the service is still starting. */
export function natsBootStatus(): NatsStatus {
  return bootStatus;
}

function connectionOptions(options: NatsConnectOptions): ConnectionOptions {
  const { servers, user, pass } = parseNatsUrl(options.url);
  const authenticator: Authenticator[] = [];
  // Read on every (re)connect, so a rotated creds file is picked up without a restart.
  if (options.credsFile) {
    const file = options.credsFile;
    authenticator.push((nonce?: string) => credsAuthenticator(readFileSync(file))(nonce));
  }
  return {
    servers,
    name: options.name,
    ...(user !== undefined ? { user, pass: pass ?? '' } : {}),
    ...(options.token ? { token: options.token } : {}),
    ...(authenticator.length ? { authenticator } : {}),
    ...(options.tls ? { tls: { ...options.tls } } : {}),
    // One connect attempt (TCP, TLS, CONNECT) gives up after this; the loop in connectNats tries again.
    timeout: 5_000,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    // A rejected credential after a reconnect (rotated secret) is retried, not a reason to close for good.
    ignoreAuthErrorAbort: true,
    pingInterval: 10_000,
    // Otherwise every request and publish captures a stack trace up front (~5 % of CPU on the ingest path).
    noAsyncTraces: true,
  };
}

/**
 * Connects, retrying until NATS accepts (backoff up to 5 s), then keeps reconnecting forever: a NATS restart
 * must not take the service down. Every failure is logged with its reason (throttled while it repeats) and
 * shows in natsBootStatus()/natsStatus(); the password is never part of a log line or error.
 */
export async function connectNats(options: NatsConnectOptions): Promise<NatsConnection> {
  const logger = options.logger ?? new JsonLogger(options.name);
  const server = redactNatsUrl(options.url);
  const connectOptions = connectionOptions(options);
  let delay = 250;
  let lastReason = '';
  let lastLogged = 0;
  for (;;) {
    try {
      const nc = await connect(connectOptions);
      bootStatus = { up: true };
      track(nc, logger, server);
      if (lastReason) logger.event('info', 'NATS connected', { server });
      return nc;
    } catch (error) {
      const code = (error as { code?: string }).code;
      let reason = describeNatsError(error);
      // A server that refuses the client certificate just closes: all the client sees is a timeout.
      if (options.tls && code === 'TIMEOUT')
        reason += ' (TLS: is the client certificate accepted by the server?)';
      bootStatus = { up: false, reason };
      const auth = isAuthCode(code);
      if (auth && options.failOnAuthError) throw new Error(`${reason} (${server})`);
      // Loud but not a flood: the first failure, a new reason, then once every 30 s.
      if (reason !== lastReason || Date.now() - lastLogged > 30_000) {
        // A refused credential or certificate needs someone to act; an unreachable server may just be starting.
        const level = auth || reason.startsWith('NATS TLS') ? 'error' : 'warn';
        logger.event(level, reason, { server, retryInMs: delay });
        lastReason = reason;
        lastLogged = Date.now();
      }
      await sleep(delay, undefined, { signal: options.signal }).catch(() => undefined);
      if (options.signal?.aborted) throw new Error(`gave up connecting: ${reason} (${server})`);
      delay = Math.min(delay * 2, 5_000);
    }
  }
}

/** Follows a connection's status events: why it is down, logged loudly; cleared on reconnect. */
function track(nc: NatsConnection, logger: JsonLogger, server: string): void {
  const state: { reason?: string } = {};
  problems.set(nc, state);
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === Events.Error) {
        const code = typeof status.data === 'string' ? status.data : '';
        if (code === 'PERMISSIONS_VIOLATION') {
          logger.event('error', 'NATS permissions violation', {
            server,
            permission: (status as { permissionContext?: unknown }).permissionContext,
          });
        } else if (isAuthCode(code)) {
          // The status carries only the code: AUTHORIZATION_VIOLATION -> "Authorization Violation".
          const words = code
            .toLowerCase()
            .replace(/(^|_)([a-z])/g, (_m, sep: string, c: string) => `${sep ? ' ' : ''}${c.toUpperCase()}`);
          state.reason = `NATS authentication failed: ${words}`;
          logger.event('error', state.reason, { server });
        }
      } else if (status.type === Events.Disconnect) {
        state.reason ??= 'NATS disconnected';
        logger.event('warn', 'NATS disconnected', { server });
      } else if (status.type === Events.Reconnect) {
        state.reason = undefined;
        logger.event('info', 'NATS reconnected', { server });
      }
    }
  })().catch(() => undefined);
}

/** Whether NATS answers now (a round trip within timeoutMs), and if not, the last reason known. */
export async function natsStatus(nc: NatsConnection, timeoutMs = 1_000): Promise<NatsStatus> {
  const known = problems.get(nc)?.reason;
  if (nc.isClosed()) return { up: false, reason: known ?? 'NATS connection closed' };
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      nc.flush(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('flush timeout')), timeoutMs))),
    ]);
    return { up: true };
  } catch {
    return { up: false, reason: known ?? `NATS did not answer within ${timeoutMs} ms` };
  } finally {
    clearTimeout(timer);
  }
}

export async function natsReachable(nc: NatsConnection, timeoutMs = 1_000): Promise<boolean> {
  return (await natsStatus(nc, timeoutMs)).up;
}
