import type { FastifyReply, FastifyRequest } from 'fastify';
import { toHttpError } from './http-error.filter';
import { rawBodyLimit } from './raw-body';
import { DomainError } from '@rocketlead/contracts';
import {
  FORM_TYPE,
  FORM_TYPE_PATTERN,
  formBodyPolicy,
  MULTIPART_TYPE,
  MULTIPART_TYPE_PATTERN,
  type FormBodyPolicy,
} from './form-body.parser';

const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i;

/** The body types a route takes: JSON everywhere, except routes marked with `FormBody` (see its policies). */
function accepts(type: string | undefined, policy: FormBodyPolicy | null): boolean {
  if (typeof type !== 'string') return false;
  switch (policy) {
    case null:
      return JSON_TYPE.test(type);
    case 'form':
      return FORM_TYPE_PATTERN.test(type);
    case 'form-or-multipart':
      return FORM_TYPE_PATTERN.test(type) || MULTIPART_TYPE_PATTERN.test(type);
    case 'json-or-form':
      return JSON_TYPE.test(type) || FORM_TYPE_PATTERN.test(type);
  }
}

function expected(policy: FormBodyPolicy | null): string {
  switch (policy) {
    case null:
      return 'application/json';
    case 'form':
      return FORM_TYPE;
    case 'form-or-multipart':
      return `${FORM_TYPE} or ${MULTIPART_TYPE}`;
    case 'json-or-form':
      return `application/json or ${FORM_TYPE}`;
  }
}

/** Requests that carry a body must send JSON (or a form, where the route takes one); else a 400 that says so. */
export async function rejectNonJsonBodies(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const hasBody =
    Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
  // Raw routes (provider webhooks) take any type: the bytes are kept, not parsed.
  if (!hasBody || rawBodyLimit(request) !== null) return;
  const type = request.headers['content-type'];
  const policy = formBodyPolicy(request);
  if (accepts(type, policy)) return;
  const body = toHttpError(
    new DomainError(
      'BAD_REQUEST',
      `Content-Type must be ${expected(policy)}, got ${type ? `"${type}"` : 'none'}`,
      {
        field: 'Content-Type',
      },
    ),
  );
  await reply.status(body.statusCode).send(body);
}
