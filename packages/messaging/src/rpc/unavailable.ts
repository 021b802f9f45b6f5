import { DomainError } from '@rocketlead/contracts';

// SQLSTATEs that say the database cannot serve right now, not that the request is wrong: connection
// exceptions (class 08), too many connections, and a server shutting down or starting up.
const UNAVAILABLE_SQLSTATES = new Set(['53300', '57P01', '57P02', '57P03']);
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);
// node-postgres' pool and client say these without a code.
const UNAVAILABLE_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'Client has encountered a connection error',
];

/**
 * A failure of the infrastructure under a handler (Postgres out of connections, restarting, unreachable) as
 * UNAVAILABLE (503: the caller may retry), or null when it is something else (an INTERNAL error).
 */
export function unavailableError(error: unknown): DomainError | null {
  if (typeof error !== 'object' || error === null) return null;
  const { code, message } = error as { code?: unknown; message?: unknown };
  const byCode =
    typeof code === 'string' &&
    (UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08') || UNAVAILABLE_NODE_CODES.has(code));
  const byMessage =
    typeof message === 'string' && UNAVAILABLE_MESSAGES.some((known) => message.includes(known));
  return byCode || byMessage
    ? new DomainError('UNAVAILABLE', 'The service is temporarily unavailable; retry later')
    : null;
}
