import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest, RouteOptions } from 'fastify';
import { ExtendRouteConfig, routeConfigValue } from './route-config';

const RAW_BODY_CONFIG = 'rocketleadRawBody';

type ParserDone = (error: Error | null, body?: unknown) => void;

/**
 * Marks a route that takes its body as it came (a provider's signed webhook): any content type, not parsed,
 * the bytes as a UTF-8 string, at most `limitBytes` (413 beyond). Every other route keeps its parsed body.
 */
export const RawBodyRoute = (limitBytes: number): MethodDecorator =>
  ExtendRouteConfig({ [RAW_BODY_CONFIG]: limitBytes });

const limitIn = (config: unknown): number | null => {
  const limit =
    config && typeof config === 'object' ? (config as Record<string, unknown>)[RAW_BODY_CONFIG] : null;
  return typeof limit === 'number' ? limit : null;
};

/** The body limit of the raw route a request matched; null for every other route. */
export function rawBodyLimit(request: FastifyRequest): number | null {
  return limitIn({ [RAW_BODY_CONFIG]: routeConfigValue(request, RAW_BODY_CONFIG) });
}

/**
 * `onRoute` hook: a raw route's limit becomes its Fastify `bodyLimit`, which Fastify applies instead of the
 * limit of whichever body parser the content type picks (so a JSON webhook is cut at the webhook limit, not
 * the JSON one). Registered before the routes are.
 */
export function applyRawBodyLimits(route: RouteOptions): void {
  const limit = limitIn(route.config);
  if (limit !== null) route.bodyLimit = limit;
}

/** A body parser that leaves a raw route's bytes as they are (a string) and parses everywhere else. */
export function rawOr(
  parse: (body: Buffer) => unknown,
): (request: FastifyRequest, body: Buffer, done: ParserDone) => void {
  return (request, body, done) => {
    try {
      done(null, rawBodyLimit(request) !== null ? body.toString('utf8') : parse(body));
    } catch (error) {
      done(error as Error, undefined);
    }
  };
}

/** The body of a `RawBodyRoute` as a string (empty when none was sent). */
export const RawBody = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const body = ctx.switchToHttp().getRequest<FastifyRequest>().body;
  return typeof body === 'string' ? body : '';
});
