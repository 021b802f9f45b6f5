import type { FastifyReply, FastifyRequest } from 'fastify';
import { ExtendRouteConfig, routeConfigValue } from './route-config';

const ROUTE_HEADERS_CONFIG = 'rocketleadRouteHeaders';

/**
 * Headers every answer of a route carries, refusals included: they are set when the request arrives, before
 * the content-type check, the body parser or the handler can answer (e.g. CORS on a public form's 400 or 429).
 */
export const RouteHeaders = (headers: Record<string, string>): MethodDecorator =>
  ExtendRouteConfig({ [ROUTE_HEADERS_CONFIG]: headers });

/** `onRequest` hook; registered before the hooks that may answer early. */
export async function applyRouteHeaders(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const headers = routeConfigValue(request, ROUTE_HEADERS_CONFIG);
  if (headers && typeof headers === 'object') reply.headers(headers as Record<string, string>);
  return Promise.resolve();
}
