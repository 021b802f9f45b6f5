import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '@rocketlead/contracts';
import { FormRateLimitService } from './form-rate-limit.service';

/**
 * The first check of a public submission: over the limit, a 429 with `Retry-After` before anything is
 * parsed further or forwarded. The client is Fastify's `request.ip`: the socket's peer, or the address
 * X-Forwarded-For gives when that peer is a proxy TRUST_PROXY names.
 */
@Injectable()
export class FormRateLimitGuard implements CanActivate {
  constructor(private readonly limiter: FormRateLimitService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest<{ Params: { id?: string } }>>();
    const formId = request.params.id;
    // A malformed id reaches no form (the route's pipe answers 400): nothing to count.
    if (typeof formId !== 'string' || !isUUID(formId)) return true;
    const verdict = await this.limiter.hit(formId, request.ip);
    if (verdict.allowed) return true;
    const seconds = verdict.retryAfterSeconds;
    void http.getResponse<FastifyReply>().header('retry-after', String(seconds));
    throw new DomainError('TOO_MANY_REQUESTS', `Too many submissions to this form; retry in ${seconds} s`, {
      retryAfter: seconds,
    });
  }
}
