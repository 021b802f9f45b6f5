import { DomainError } from '@rocketlead/contracts';
import { decodeCursor, type CursorPosition } from '@rocketlead/persistence';

/** The position of a client's cursor; one we did not issue is a 400 naming the field. */
export function cursorOf(cursor: string | undefined): CursorPosition | undefined {
  if (cursor === undefined) return undefined;
  const position = decodeCursor(cursor);
  if (!position)
    throw new DomainError('VALIDATION_FAILED', 'Validation failed', {
      errors: [{ field: 'cursor', message: 'is not a valid cursor' }],
    });
  return position;
}
