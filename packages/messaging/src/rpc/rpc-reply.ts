import { ErrorCode as NatsErrorCode, type NatsError } from 'nats';
import { DomainError, ERROR_CODES, type ErrorBody } from '@rocketlead/contracts';

// No replica answered in time, or the connection is down: the caller may retry later (503).
const UNAVAILABLE_CODES = new Set<string>([
  NatsErrorCode.NoResponders,
  NatsErrorCode.Timeout,
  NatsErrorCode.Disconnect,
  NatsErrorCode.ConnectionClosed,
  NatsErrorCode.ConnectionDraining,
]);

/** The service that owns a command: its first subject token (`leads.entries.get` → `leads`). */
export const serviceOf = (command: string): string => command.split('.')[0] ?? command;

/** A failed NATS request as the typed error callers handle. */
export function requestFailure(command: string, error: unknown): DomainError {
  const code = (error as Partial<NatsError> | undefined)?.code;
  if (code !== undefined && UNAVAILABLE_CODES.has(code))
    return new DomainError('UNAVAILABLE', `The ${serviceOf(command)} service is unavailable, retry later`);
  if (code === NatsErrorCode.MaxPayloadExceeded)
    return new DomainError('PAYLOAD_TOO_LARGE', `The ${command} request is larger than a message may be`);
  return new DomainError('INTERNAL', 'Internal server error');
}

export function isErrorBody(value: unknown): value is ErrorBody {
  const body = value as Partial<ErrorBody> | null;
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof body.code === 'string' &&
    body.code in ERROR_CODES &&
    typeof body.message === 'string'
  );
}
