import { DomainError } from '@rocketlead/contracts';
import { decodeCursor, type CursorPosition } from '@rocketlead/persistence';

export { encodeCursor, type CursorPosition } from '@rocketlead/persistence';

/** The position of a cursor from a client; a cursor we did not issue is a 400 naming the field. */
export function parseCursor(cursor: string): CursorPosition {
  const position = decodeCursor(cursor);
  if (!position) {
    throw new DomainError('VALIDATION_FAILED', 'Validation failed', {
      errors: [{ field: 'cursor', message: 'is not a valid cursor' }],
    });
  }
  return position;
}
