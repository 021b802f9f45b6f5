import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';
import type { FastifyRequest } from 'fastify';

/**
 * Adds entries to the Fastify route config of a handler. Nest's `RouteConfig` replaces the whole config, so two
 * of our markers on one route (a body policy and response headers) would drop one another; this merges.
 */
export const ExtendRouteConfig =
  (entries: Record<string, unknown>): MethodDecorator =>
  (_target, _key, descriptor) => {
    const handler = descriptor.value as object;
    const existing = Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) as object | undefined;
    Reflect.defineMetadata(FASTIFY_ROUTE_CONFIG_METADATA, { ...existing, ...entries }, handler);
    return descriptor;
  };

/** One entry of the config of the route a request matched (undefined before routing or when absent). */
export function routeConfigValue(request: FastifyRequest, key: string): unknown {
  // Fastify types the route config without an index signature; the keys are ours (see ExtendRouteConfig).
  const config: object | undefined = request.routeOptions?.config;
  return config ? (config as Record<string, unknown>)[key] : undefined;
}
