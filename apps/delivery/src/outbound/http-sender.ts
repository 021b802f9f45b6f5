import { performance } from 'node:perf_hooks';
import { rootCertificates } from 'node:tls';
import { buildConnector, Pool, type Dispatcher } from 'undici';
import { DestinationRefusedError, type DestinationGuard, type VettedAddress } from './ssrf-guard';
import {
  MAX_ERROR_LENGTH,
  errorCode,
  errorMessage,
  parseRetryAfter,
  socketErrorText,
} from '@rocketlead/observability';

export { parseRetryAfter };

export interface OutboundRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /**
   * Requests with the same key share keep-alive connections to an origin; requests with another key never
   * wait for them (delivery gives each endpoint its own). Absent: one pool per origin.
   */
  pool?: string;
}

export interface OutboundResult {
  /** The receiver's HTTP status; null when no answer came. */
  status: number | null;
  /** 200..399: a redirect is an answer, and is not followed. */
  ok: boolean;
  durationMs: number;
  /** The first 1024 bytes of the answer's body as UTF-8; null when no answer came. */
  responseBody: string | null;
  /** Why the attempt failed, e.g. 'HTTP 500', 'timeout after 10000 ms', 'connection refused'; null when ok. */
  error: string | null;
  /** The receiver's Retry-After (429 and 503 only), in milliseconds from now. */
  retryAfterMs: number | null;
  /** The destination is not allowed (or the URL unusable): retrying cannot help. */
  refused: boolean;
}

export interface HttpSenderOptions {
  /** Keep-alive connections to one origin (and vetted address) per pool key. */
  connectionsPerOrigin?: number;
  /** How long a host's vetted address is reused before it is resolved again. */
  addressCacheMs?: number;
  /** A connection pool unused this long is closed. */
  idlePoolMs?: number;
  /** CA certificates (PEM) trusted besides the public roots: development receivers and tests. */
  extraCaCertificates?: string[];
}

export const USER_AGENT = 'RocketLead-Webhooks/1.0';
export const RESPONSE_BODY_BYTES = 1024;
// After the kept 1 KiB, up to this much more is read and dropped so the connection can be reused;
// a longer answer closes the connection instead.
const DRAIN_LIMIT_BYTES = 64 * 1024;
const ADDRESS_CACHE_LIMIT = 10_000;

interface PoolEntry {
  pool: Pool;
  inFlight: number;
  lastUsedAt: number;
}

interface CachedAddress {
  vetted: Promise<VettedAddress>;
  expiresAt: number;
}

class AttemptTimeout extends Error {}

function describeError(error: unknown): string {
  const code = errorCode(error);
  const known = socketErrorText(code);
  if (known) return known;
  if (code !== undefined && /CERT|TLS|SSL/.test(code))
    return `TLS: ${errorMessage(error)}`.slice(0, MAX_ERROR_LENGTH);
  return errorMessage(error);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Rejects with the signal's reason when it aborts first; a DNS lookup cannot be cancelled otherwise. */
async function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}

/** Reads until `limit` bytes arrived or the body ended; the rest stays unread (paused). */
function readHead(
  body: Dispatcher.ResponseData['body'],
  limit: number,
): Promise<{ head: Buffer; ended: boolean }> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const finish = (ended: boolean): void => {
      body.off('data', onData).off('end', onEnd).off('error', onError);
      const head = Buffer.concat(parts);
      resolve({ head: head.subarray(0, limit), ended });
    };
    const onData = (chunk: Buffer): void => {
      parts.push(chunk);
      size += chunk.length;
      if (size >= limit) {
        body.pause();
        finish(false);
      }
    };
    const onEnd = (): void => finish(true);
    const onError = (error: Error): void => {
      body.off('data', onData).off('end', onEnd).off('error', onError);
      reject(error);
    };
    body.on('data', onData).once('end', onEnd).once('error', onError);
  });
}

/**
 * POSTs webhooks over keep-alive connections, one pool per origin and vetted address, and connects to
 * the address the guard vetted: the socket never resolves the host again (no DNS rebinding), while TLS
 * still checks the certificate against the URL's host name. Network problems become results, not throws.
 */
export class HttpSender {
  private readonly pools = new Map<string, PoolEntry>();
  private readonly addresses = new Map<string, CachedAddress>();
  private readonly connector: ReturnType<typeof buildConnector>;
  private readonly connectionsPerOrigin: number;
  private readonly addressCacheMs: number;
  private readonly idlePoolMs: number;
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly guard: DestinationGuard,
    options: HttpSenderOptions = {},
  ) {
    this.connectionsPerOrigin = options.connectionsPerOrigin ?? 10;
    this.addressCacheMs = options.addressCacheMs ?? 10_000;
    this.idlePoolMs = options.idlePoolMs ?? 60_000;
    const extraCa = options.extraCaCertificates ?? [];
    // One connector for every pool, so TLS sessions are resumed across them. Giving `ca` replaces
    // Node's roots, hence the public roots are repeated.
    this.connector = buildConnector({
      allowH2: false,
      timeout: 30_000,
      ...(extraCa.length > 0 ? { ca: [...rootCertificates, ...extraCa] } : {}),
    });
    this.sweeper = setInterval(() => this.sweep(), Math.min(this.idlePoolMs, 60_000));
    this.sweeper.unref();
  }

  async send(request: OutboundRequest): Promise<OutboundResult> {
    const startedAt = performance.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new AttemptTimeout()), request.timeoutMs);
    const result = (fields: Partial<OutboundResult>): OutboundResult => ({
      status: null,
      ok: false,
      responseBody: null,
      error: null,
      retryAfterMs: null,
      refused: false,
      ...fields,
      durationMs: Math.round(performance.now() - startedAt),
    });
    let url: URL | undefined;
    try {
      if (this.closed) return result({ error: 'sender closed' });
      try {
        url = new URL(request.url);
      } catch {
        return result({ error: 'invalid URL', refused: true });
      }
      const vetted = await abortable(this.vet(url), controller.signal);
      const answer = await this.post(url, vetted, request, controller.signal);
      const ok = answer.status >= 200 && answer.status <= 399;
      const retryAfter = answer.status === 429 || answer.status === 503 ? answer.retryAfter : undefined;
      return result({
        status: answer.status,
        ok,
        responseBody: answer.body,
        error: ok ? null : `HTTP ${answer.status}`,
        retryAfterMs: parseRetryAfter(retryAfter),
      });
    } catch (error) {
      if (error instanceof DestinationRefusedError) return result({ error: error.message, refused: true });
      // The host may have moved: the next attempt resolves it again.
      if (url !== undefined) this.addresses.delete(this.addressKey(url));
      const code = errorCode(error);
      if (controller.signal.aborted || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
        return result({ error: `timeout after ${request.timeoutMs} ms` });
      return result({ error: describeError(error) });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes every connection; later sends fail with 'sender closed'. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    const pools = [...this.pools.values()].map((entry) => entry.pool);
    this.pools.clear();
    this.addresses.clear();
    await Promise.all(pools.map((pool) => pool.close()));
  }

  private addressKey(url: URL): string {
    return `${url.protocol}//${url.hostname}`;
  }

  /** The guard's answer for the URL's host, shared by concurrent sends and kept for a short while. */
  private vet(url: URL): Promise<VettedAddress> {
    const key = this.addressKey(url);
    const now = Date.now();
    const cached = this.addresses.get(key);
    if (cached !== undefined && cached.expiresAt > now) return cached.vetted;
    if (this.addresses.size >= ADDRESS_CACHE_LIMIT) this.addresses.clear();
    const vetted = this.guard.vet(url);
    const entry = { vetted, expiresAt: now + this.addressCacheMs };
    this.addresses.set(key, entry);
    vetted.catch(() => {
      if (this.addresses.get(key) === entry) this.addresses.delete(key);
    });
    return vetted;
  }

  private async post(
    url: URL,
    vetted: VettedAddress,
    request: OutboundRequest,
    signal: AbortSignal,
  ): Promise<{ status: number; body: string; retryAfter: string | undefined }> {
    const entry = this.poolFor(request.pool ?? '', url.origin, vetted.address);
    entry.inFlight++;
    try {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
      if (url.username !== '' && headers.authorization === undefined) {
        const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
        headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
      }
      headers['user-agent'] = USER_AGENT;
      const response = await entry.pool.request({
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers,
        body: request.body,
        signal,
        headersTimeout: request.timeoutMs,
        bodyTimeout: request.timeoutMs,
      });
      // A late socket error on a body already given up on must not become an uncaught 'error' event.
      response.body.on('error', () => undefined);
      const { head, ended } = await readHead(response.body, RESPONSE_BODY_BYTES);
      // The answer is known: draining the rest only keeps the connection reusable, so it may fail.
      if (!ended) await response.body.dump({ limit: DRAIN_LIMIT_BYTES, signal }).catch(() => undefined);
      // The pool marks the connection free (its 'drain') later in this loop turn; a send issued right
      // away would otherwise open a second connection.
      await new Promise((resolve) => setImmediate(resolve));
      return {
        status: response.statusCode,
        body: head.toString('utf8'),
        retryAfter: headerValue(response.headers['retry-after']),
      };
    } finally {
      entry.inFlight--;
      entry.lastUsedAt = Date.now();
    }
  }

  private poolFor(poolKey: string, origin: string, address: string): PoolEntry {
    // A send that was vetting while close() ran must not open a pool nobody closes.
    if (this.closed) throw new Error('sender closed');
    const key = `${poolKey} ${origin} ${address}`;
    let entry = this.pools.get(key);
    if (entry === undefined) {
      const connector = this.connector;
      const pool = new Pool(origin, {
        connections: this.connectionsPerOrigin,
        allowH2: false,
        // The socket goes to the vetted address; Host header and TLS server name stay the URL's host.
        connect: (options, callback) => connector({ ...options, hostname: address }, callback),
      });
      entry = { pool, inFlight: 0, lastUsedAt: Date.now() };
      this.pools.set(key, entry);
    }
    return entry;
  }

  private sweep(): void {
    const idleSince = Date.now() - this.idlePoolMs;
    for (const [key, entry] of this.pools) {
      if (entry.inFlight === 0 && entry.lastUsedAt < idleSince) {
        this.pools.delete(key);
        entry.pool.close().catch(() => undefined);
      }
    }
  }
}
