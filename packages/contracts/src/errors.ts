// Typed error codes shared by every service; ingress maps them to HTTP status codes in one place.

export const ERROR_CODES = {
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  NO_DEFAULT_LEAD_STATE: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  // A single-use link already used or expired (form verification).
  GONE: 410,
  PAYLOAD_TOO_LARGE: 413,
  IDEMPOTENCY_MISMATCH: 422,
  TOO_MANY_REQUESTS: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
  // A service's reply exceeded the NATS maximum payload: a server-side limit the caller cannot fix by retrying.
  REPLY_TOO_LARGE: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

/** An expected failure with a stable code; thrown by services and carried over request/reply. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }

  static from(body: ErrorBody): DomainError {
    return new DomainError(body.code in ERROR_CODES ? body.code : 'INTERNAL', body.message, body.details);
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

export type RpcReply<T> = { ok: true; result: T } | { ok: false; error: ErrorBody };

/** The answer of a lookup, or null when the owning service says NOT_FOUND; other errors go on. */
export async function nullIfNotFound<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof DomainError && error.code === 'NOT_FOUND') return null;
    throw error;
  }
}
