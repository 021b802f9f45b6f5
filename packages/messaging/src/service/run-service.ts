import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DynamicModule, Type } from '@nestjs/common';
import { JsonLogger } from '@rocketlead/observability';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface RunServiceOptions {
  name: string;
  module: Type<unknown> | DynamicModule;
  port: number;
  host: string;
  logger: JsonLogger;
  /** Global pipes, filters and hooks of the service. */
  configure?: (app: NestFastifyApplication) => void | Promise<void>;
}

/**
 * Starts a service on Fastify with JSON logs and graceful shutdown: on SIGTERM/SIGINT it stops taking
 * work, finishes what is in flight, drains NATS and closes the Postgres pool (via lifecycle hooks).
 */
export async function runService(options: RunServiceOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: MAX_BODY_BYTES,
    routerOptions: { ignoreTrailingSlash: true },
    forceCloseConnections: 'idle',
  });
  const app = await NestFactory.create<NestFastifyApplication>(options.module, adapter, {
    logger: options.logger,
    bufferLogs: false,
  });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await options.configure?.(app);
  await app.listen(options.port, options.host);
  options.logger.event('info', 'service started', { port: options.port, pid: process.pid });
  return app;
}

/** Logs a fatal boot error as one JSON line (config errors list every bad variable) and exits. */
export function exitOnBootFailure(logger: JsonLogger): (error: unknown) => never {
  return (error) => {
    logger.event('error', 'service failed to start', {
      error: error instanceof Error ? error.message : String(error),
    });
    process.exit(1);
  };
}

export interface ServiceMainOptions<C extends { PORT: number; HOST: string; LOG_LEVEL: string }> {
  name: string;
  loadConfig: () => C;
  module: (config: C) => DynamicModule;
  /** `main.js migrate` runs this and exits: the migration Job of a deployment. */
  migrate: (config: C) => Promise<unknown>;
  configure?: (app: NestFastifyApplication, logger: JsonLogger) => void | Promise<void>;
}

/** The whole main.ts of a service: validated config, then either its migrations or the service itself. */
export function serviceMain<C extends { PORT: number; HOST: string; LOG_LEVEL: string }>(
  options: ServiceMainOptions<C>,
): void {
  const run = async (): Promise<void> => {
    const config = options.loadConfig();
    const logger = new JsonLogger(options.name, config.LOG_LEVEL);
    if (process.argv.includes('migrate')) {
      logger.event('info', 'migrated', { result: await options.migrate(config) });
      return;
    }
    await runService({
      name: options.name,
      module: options.module(config),
      port: config.PORT,
      host: config.HOST,
      logger,
      configure: options.configure ? (app) => options.configure!(app, logger) : undefined,
    });
  };
  run().catch(exitOnBootFailure(new JsonLogger(options.name)));
}
