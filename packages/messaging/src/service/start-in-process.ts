import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { JsonLogger } from '@rocketlead/observability';
import { serveCommands } from '../rpc/serve-commands';

/**
 * A service's module started in this process without listening on HTTP (integration tests): its init hooks
 * (streams, relays, consumers) run, and with `commands` (the default) it serves its commands on NATS.
 */
export async function startInProcess(
  module: Type<unknown> | DynamicModule,
  logger: JsonLogger,
  { commands = true }: { commands?: boolean } = {},
): Promise<INestApplication> {
  const app = await NestFactory.create(module, new FastifyAdapter(), { logger });
  if (commands) serveCommands(app);
  await app.init();
  await app.startAllMicroservices();
  return app;
}
