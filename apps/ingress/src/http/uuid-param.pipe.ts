import { ParseUUIDPipe } from '@nestjs/common';
import { DomainError } from '@rocketlead/contracts';

/** Path ids must be UUIDs; anything else is a 400 naming the parameter. */
export const UuidParam = (name = 'id'): ParseUUIDPipe =>
  new ParseUUIDPipe({
    exceptionFactory: () =>
      new DomainError('VALIDATION_FAILED', 'Validation failed', {
        errors: [{ field: name, message: 'must be a UUID' }],
      }),
  });
