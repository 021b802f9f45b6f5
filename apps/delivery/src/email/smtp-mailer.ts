import { performance } from 'node:perf_hooks';
import nodemailer, { type NodemailerError, type SendMailOptions, type Transporter } from 'nodemailer';
import { MAX_ERROR_LENGTH, socketErrorText } from '@rocketlead/observability';

export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  text: string | null;
  html: string | null;
  /** Extra headers, e.g. List-Unsubscribe. */
  headers?: Record<string, string>;
  /** `<id@host>`; nodemailer makes one up when absent. */
  messageId?: string;
}

export interface EmailResult {
  ok: boolean;
  /** The server refused the message for good (5xx): do not retry. */
  permanent: boolean;
  /** The SMTP reply code of the server's last answer; null when none came. */
  responseCode: number | null;
  /** The server's reply text (at most 1024 characters); null when none came. */
  response: string | null;
  /** Why the attempt failed; null when ok. */
  error: string | null;
  durationMs: number;
}

export interface SmtpMailerOptions {
  /** Each wait for the server: connecting, its greeting, any reply. The whole send gets 3× this. */
  timeoutMs?: number;
  /** Connections kept open to the server. */
  maxConnections?: number;
}

export const EMAIL_NOT_CONFIGURED_ERROR = 'email is not configured (SMTP_URL is empty)';
const MAX_RESPONSE_LENGTH = 1024;
// Failures of the message or of our own setup rather than of the connection: the next attempt would
// fail the same way. (Errors with an SMTP reply are judged by its code instead.)
const PERMANENT_CODES = new Set(['EENVELOPE', 'EMAXRECIPIENTS', 'ECONFIG', 'EOTP', 'EREQUIRETLS']);
// Missing or refused credentials are the operator's to fix, not the message's fault: kept retryable,
// so a corrected SMTP_URL still delivers what was waiting.
const CREDENTIAL_CODES = new Set(['EAUTH', 'ENOAUTH']);

class SendTimeout extends Error {}

// Duck-typed: errors of Node's own modules may come from another realm (Jest's sandbox), failing instanceof.
function asNodemailerError(error: unknown): NodemailerError {
  return typeof error === 'object' && error !== null && 'message' in error
    ? (error as NodemailerError)
    : (new Error(String(error)) as NodemailerError);
}

/** Leading reply code of an SMTP answer such as '250 2.0.0 OK queued'. */
function replyCode(response: string | undefined): number | null {
  const match = /^([2-5]\d\d)[\s-]/.exec(response ?? '');
  return match === null ? null : Number(match[1]);
}

function describeSocketError(error: NodemailerError): string | null {
  return socketErrorText(error.originalCode ?? error.code);
}

/**
 * Sends email over SMTP through a pooled nodemailer transport: connections are kept open and reused
 * between messages, and every wait is bounded. Every outcome is a result, never a throw; a reply code
 * of 5xx (but 503, a session state problem) is permanent, anything else (4xx, connection problems,
 * timeouts) worth retrying. Nothing is logged: the transport's logger is off, and the URL's password is
 * removed from any error or reply text.
 */
export class SmtpMailer {
  private readonly transport: Transporter | null;
  private readonly secrets: string[] = [];
  private readonly sendTimeoutMs: number;
  private closed = false;

  constructor(smtpUrl: string, options: SmtpMailerOptions = {}) {
    const timeoutMs = options.timeoutMs ?? 30_000;
    this.sendTimeoutMs = timeoutMs * 3;
    if (smtpUrl === '') {
      this.transport = null;
      return;
    }
    const url = new URL(smtpUrl);
    if (url.password !== '') {
      this.secrets.push(url.password);
      try {
        this.secrets.push(decodeURIComponent(url.password));
      } catch {
        // A malformed escape stays as written, which is already listed.
      }
    }
    this.transport = nodemailer.createTransport({
      url: smtpUrl,
      pool: true,
      maxConnections: options.maxConnections ?? 5,
      // A connection is renewed after this many messages (servers limit messages per session).
      maxMessages: 100,
      // A message whose connection dropped gets one more try on a new one; later retries are the caller's.
      maxRequeues: 1,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      dnsTimeout: timeoutMs,
      logger: false,
      debug: false,
      transactionLog: false,
    });
  }

  /** An SMTP URL was given. */
  get configured(): boolean {
    return this.transport !== null;
  }

  /** Sends one email; never throws. */
  async send(email: OutgoingEmail): Promise<EmailResult> {
    const startedAt = performance.now();
    const result = (fields: Partial<EmailResult>): EmailResult => ({
      ok: false,
      permanent: false,
      responseCode: null,
      response: null,
      error: null,
      ...fields,
      durationMs: Math.round(performance.now() - startedAt),
    });
    if (this.transport === null) return result({ permanent: true, error: EMAIL_NOT_CONFIGURED_ERROR });
    if (this.closed) return result({ error: 'mailer closed' });

    const message: SendMailOptions = {
      from: email.from,
      to: email.to,
      subject: email.subject,
      headers: email.headers ?? {},
      // A message needs a body; an email with neither part gets an empty text one.
      ...(email.text === null && email.html === null ? { text: '' } : {}),
      ...(email.text !== null ? { text: email.text } : {}),
      ...(email.html !== null ? { html: email.html } : {}),
      ...(email.messageId !== undefined ? { messageId: email.messageId } : {}),
    };
    // A server that trickles its replies never trips the socket timeout; this bounds the whole send,
    // the wait for a free pooled connection included.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new SendTimeout()), this.sendTimeoutMs);
    try {
      const info = await this.transport.sendMail({ ...message, signal: controller.signal });
      const response = typeof info.response === 'string' ? info.response : null;
      return result({
        ok: true,
        responseCode: replyCode(response ?? undefined),
        response: this.clip(response),
      });
    } catch (caught) {
      const error = asNodemailerError(caught);
      if (controller.signal.aborted) return result({ error: `timeout after ${this.sendTimeoutMs} ms` });
      return result(this.failure(error));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the pooled connections (a message being sent finishes first); later sends fail. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.transport?.close();
  }

  private failure(error: NodemailerError): Partial<EmailResult> {
    const responseCode = error.responseCode ?? replyCode(error.response) ?? null;
    const response = this.clip(error.response ?? null);
    const message = this.scrub(describeSocketError(error) ?? error.message ?? String(error.code));
    const code = error.code ?? '';
    let permanent: boolean;
    if (CREDENTIAL_CODES.has(code)) permanent = false;
    else if (responseCode !== null)
      // nodemailer sets `permanent` from the reply class; derived here too for replies it did not mark.
      permanent = error.permanent ?? (responseCode >= 500 && responseCode !== 503);
    else permanent = PERMANENT_CODES.has(code);
    return {
      permanent,
      responseCode,
      response,
      error: (code !== '' && !message.includes(code) ? `${message} (${code})` : message).slice(
        0,
        MAX_ERROR_LENGTH,
      ),
    };
  }

  private clip(text: string | null): string | null {
    return text === null ? null : this.scrub(text).slice(0, MAX_RESPONSE_LENGTH);
  }

  /** Removes the SMTP URL's password from text that leaves this class. */
  private scrub(text: string): string {
    let clean = text;
    for (const secret of this.secrets) clean = clean.split(secret).join('[redacted]');
    return clean;
  }
}
