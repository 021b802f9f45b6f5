import type { FastifyReply, FastifyRequest } from 'fastify';
import { toHttpError } from './http-error.filter';
import { DomainError } from '@rocketlead/contracts';

const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i;

/** Requests that carry a body must send JSON; anything else is a 400 that says so. */
export async function rejectNonJsonBodies(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const hasBody =
    Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return;
  const type = request.headers['content-type'];
  if (typeof type === 'string' && JSON_TYPE.test(type)) return;
  const body = toHttpError(
    new DomainError(
      'BAD_REQUEST',
      `Content-Type must be application/json, got ${type ? `"${type}"` : 'none'}`,
      {
        field: 'Content-Type',
      },
    ),
  );
  await reply.status(body.statusCode).send(body);
}
