// What HTTP, SMTP and the SMS API report when the network fails, said the same way in every attempt log.

export const MAX_ERROR_LENGTH = 500;

/** The `code` of a Node or undici error (duck-typed: errors from another realm fail instanceof). */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** A short text for a socket-level error code; null when the code is not a network failure we name. */
export function socketErrorText(code: string | undefined, peer = 'the receiver'): string | null {
  switch (code ?? '') {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'EHOSTUNREACH':
      return 'host unreachable';
    case 'ENETUNREACH':
      return 'network unreachable';
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connect timeout';
    case 'UND_ERR_SOCKET':
      return `connection closed by ${peer}`;
    case 'ENOTFOUND':
    case 'ENODATA':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return `DNS lookup failed (${code})`;
    default:
      return null;
  }
}

/** The error's message (or code), bounded. */
export function errorMessage(error: unknown): string {
  const message =
    typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string'
      ? error.message
      : String(error);
  return (message || errorCode(error) || 'request failed').slice(0, MAX_ERROR_LENGTH);
}

/** Retry-After as seconds or an HTTP date, in milliseconds from `now`; null when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | null {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (text === undefined || text === '') return null;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date always names a weekday; this keeps bare numbers like '1.5' from being read as dates.
  if (!/^[a-z]{3},/i.test(text)) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
