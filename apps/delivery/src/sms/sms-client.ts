import { performance } from 'node:perf_hooks';
import { Pool, type Dispatcher } from 'undici';
import {
  MAX_ERROR_LENGTH,
  errorCode,
  errorMessage,
  parseRetryAfter,
  socketErrorText,
} from '@rocketlead/observability';

export interface SmsSettings {
  /** Base URL of the Twilio-compatible API, e.g. https://api.twilio.com (a path prefix is kept). */
  apiUrl: string;
  accountSid: string;
  authToken: string;
  /** Sender number (E.164). */
  from: string;
  /** Where the API reports the message's status; null = no callbacks. */
  statusCallbackUrl: string | null;
}

export interface SmsResult {
  ok: boolean;
  /** 4xx (but 401, 408 and 429), a destination not in E.164 or missing settings: retrying cannot help. */
  permanent: boolean;
  /** The API's HTTP status; null when no answer came. */
  status: number | null;
  /** The message's SID from the API's answer (SM…); null when not accepted. */
  messageSid: string | null;
  /** The first 1 KiB of the answer's body as UTF-8; null when no answer came. */
  responseBody: string | null;
  /** Why the attempt failed, e.g. 'HTTP 400: Twilio error 21211: …', 'timeout after 15000 ms'; null when ok. */
  error: string | null;
  durationMs: number;
  /** The API's Retry-After (429 and 503 only), in milliseconds from now. */
  retryAfterMs: number | null;
}

export interface SmsClientOptions {
  /** The whole attempt: connecting, sending and reading the answer. */
  timeoutMs?: number;
  /** Keep-alive connections to the API. */
  connections?: number;
}

export const NOT_CONFIGURED_ERROR = 'SMS is not configured (SMS_ACCOUNT_SID, SMS_AUTH_TOKEN and SMS_FROM)';
const RESPONSE_BODY_BYTES = 1024;
// A Twilio message resource is 1–2 KiB of JSON; the SID is read from up to this much.
const JSON_READ_LIMIT_BYTES = 64 * 1024;
const USER_AGENT = 'RocketLead-Delivery/1.0';
const E164 = /^\+[1-9]\d{1,14}$/;
// 408 and 429 say "not now"; 401 means our credentials are wrong, which the operator can fix, so what
// waits is still sent then. Any other 4xx would be answered the same way next time.
const RETRYABLE_4XX = new Set([401, 408, 429]);

class AttemptTimeout extends Error {}

function describeError(error: unknown): string {
  return socketErrorText(errorCode(error), 'the SMS API') ?? errorMessage(error);
}

/** Reads the body up to `limit` bytes; a longer body is cut off (and its connection not reused). */
async function readBody(body: Dispatcher.ResponseData['body'], limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    parts.push(chunk);
    size += chunk.length;
    if (size >= limit) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(parts).subarray(0, limit);
}

function jsonObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** 'HTTP 400: Twilio error 21211: The 'To' number … is not a valid phone number.' from Twilio's error JSON. */
function httpError(status: number, answer: Record<string, unknown> | null): string {
  const message = typeof answer?.message === 'string' ? answer.message : null;
  const code = typeof answer?.code === 'number' || typeof answer?.code === 'string' ? answer.code : null;
  if (message === null) return `HTTP ${status}`;
  const detail = code === null ? message : `Twilio error ${code}: ${message}`;
  return `HTTP ${status}: ${detail}`.slice(0, MAX_ERROR_LENGTH);
}

/**
 * Sends text messages through a Twilio-compatible REST API (`POST …/2010-04-01/Accounts/{sid}/Messages.json`,
 * Basic auth, form body) over keep-alive connections. The API URL comes from the operator's configuration,
 * not from tenants, so no destination guard applies. Network problems become results, not throws.
 */
export class SmsClient {
  private readonly pool: Pool | null;
  private readonly path: string;
  private readonly authorization: string;
  private readonly timeoutMs: number;
  private closed = false;

  constructor(
    private readonly settings: SmsSettings,
    options: SmsClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 15_000;
    const base = new URL(settings.apiUrl);
    this.path = `${base.pathname.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(settings.accountSid)}/Messages.json`;
    this.authorization = `Basic ${Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString('base64')}`;
    this.pool = this.configured
      ? new Pool(base.origin, {
          connections: options.connections ?? 10,
          allowH2: false,
          connectTimeout: this.timeoutMs,
          keepAliveTimeout: 30_000,
        })
      : null;
  }

  /** Account SID, auth token and sender are all set. */
  get configured(): boolean {
    return this.settings.accountSid !== '' && this.settings.authToken !== '' && this.settings.from !== '';
  }

  /** Sends `body` to `to` (E.164). Never throws. */
  async send(to: string, body: string): Promise<SmsResult> {
    const startedAt = performance.now();
    const result = (fields: Partial<SmsResult>): SmsResult => ({
      ok: false,
      permanent: false,
      status: null,
      messageSid: null,
      responseBody: null,
      error: null,
      retryAfterMs: null,
      ...fields,
      durationMs: Math.round(performance.now() - startedAt),
    });
    if (this.pool === null) return result({ permanent: true, error: NOT_CONFIGURED_ERROR });
    if (this.closed) return result({ error: 'SMS client closed' });
    if (!E164.test(to))
      return result({ permanent: true, error: `${JSON.stringify(to)} is not an E.164 phone number` });

    const form = new URLSearchParams({ To: to, From: this.settings.from, Body: body });
    if (this.settings.statusCallbackUrl !== null) form.set('StatusCallback', this.settings.statusCallbackUrl);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new AttemptTimeout()), this.timeoutMs);
    try {
      const response = await this.pool.request({
        path: this.path,
        method: 'POST',
        headers: {
          authorization: this.authorization,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          'user-agent': USER_AGENT,
        },
        body: form.toString(),
        signal: controller.signal,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      const raw = await readBody(response.body, JSON_READ_LIMIT_BYTES);
      const text = raw.toString('utf8');
      const responseBody = raw.subarray(0, RESPONSE_BODY_BYTES).toString('utf8');
      const answer = jsonObject(text);
      const status = response.statusCode;
      if (status >= 200 && status <= 299) {
        const sid = typeof answer?.sid === 'string' ? answer.sid : null;
        return result({ ok: true, status, messageSid: sid, responseBody });
      }
      return result({
        status,
        permanent: status >= 400 && status <= 499 && !RETRYABLE_4XX.has(status),
        responseBody,
        error: httpError(status, answer),
        retryAfterMs:
          status === 429 || status === 503 ? parseRetryAfter(response.headers['retry-after']) : null,
      });
    } catch (error) {
      if (controller.signal.aborted) return result({ error: `timeout after ${this.timeoutMs} ms` });
      return result({ error: describeError(error) });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the connections; later sends fail with 'SMS client closed'. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool?.close();
  }
}
