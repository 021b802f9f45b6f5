import type { FastifyRequest } from 'fastify';
import { assertWithinLimits } from '@rocketlead/contracts';

/**
 * Query strings and path parameters get the same content checks as bodies (NUL, unpaired surrogates, length),
 * so a cursor or id with a NUL byte is a 400 naming it rather than a database error.
 */
export async function inspectQueryAndParams(request: FastifyRequest): Promise<void> {
  assertWithinLimits(request.query, { depth: 2 });
  assertWithinLimits(request.params, { depth: 2 });
  return Promise.resolve();
}
