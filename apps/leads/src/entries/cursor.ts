import { DomainError, isUuid } from '@rocketlead/contracts';

export interface CursorPosition {
  createdAt: string;
  id: string;
}

/** Opaque, stable paging cursor: the (createdAt, id) of the last item of the previous page. */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(decoded) &&
      typeof decoded[0] === 'string' &&
      !Number.isNaN(Date.parse(decoded[0])) &&
      isUuid(decoded[1])
    ) {
      return { createdAt: decoded[0], id: decoded[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new DomainError('VALIDATION_FAILED', 'Validation failed', {
    errors: [{ field: 'cursor', message: 'is not a valid cursor' }],
  });
}
