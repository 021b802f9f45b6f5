import {
  applyDecorators,
  Injectable,
  SetMetadata,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { isUUID } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '@rocketlead/contracts';
import type { RateLimitScope } from './public-rate-limit-hit.entity';
import { PublicRateLimitService } from './public-rate-limit.service';

const RATE_LIMIT_SCOPE = 'rocketlead:rate-limit-scope';

const REFUSALS: Record<RateLimitScope, string> = {
  form: 'Too many submissions to this form',
  event: 'Too many requests for this event',
};

/**
 * Rate limits a public route per `:id` (the form or event) and client IP, counted under `scope`: over the
 * limit, a 429 with `Retry-After` before anything is parsed further or forwarded.
 */
export const RateLimited = (scope: RateLimitScope): MethodDecorator =>
  applyDecorators(SetMetadata(RATE_LIMIT_SCOPE, scope), UseGuards(PublicRateLimitGuard));

/**
 * The first check of a public submission. The client is Fastify's `request.ip`: the socket's peer, or the
 * address X-Forwarded-For gives when that peer is a proxy TRUST_PROXY names.
 */
@Injectable()
export class PublicRateLimitGuard implements CanActivate {
  constructor(
    private readonly limiter: PublicRateLimitService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const scope = this.reflector.get<RateLimitScope | undefined>(RATE_LIMIT_SCOPE, context.getHandler());
    if (scope === undefined) throw new Error('PublicRateLimitGuard used without RateLimited(scope)');
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest<{ Params: { id?: string } }>>();
    const subjectId = request.params.id;
    // A malformed id reaches nothing (the route's pipe answers 400): nothing to count.
    if (typeof subjectId !== 'string' || !isUUID(subjectId)) return true;
    const verdict = await this.limiter.hit({ scope, subjectId, clientIp: request.ip });
    if (verdict.allowed) return true;
    const seconds = verdict.retryAfterSeconds;
    void http.getResponse<FastifyReply>().header('retry-after', String(seconds));
    throw new DomainError('TOO_MANY_REQUESTS', `${REFUSALS[scope]}; retry in ${seconds} s`, {
      retryAfter: seconds,
    });
  }
}
