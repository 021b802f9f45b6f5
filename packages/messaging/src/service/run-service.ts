import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DynamicModule, Type } from '@nestjs/common';
import { JsonLogger, stopTelemetry } from '@rocketlead/observability';
import { startBootHealth } from './boot-health';
import { serveCommands } from '../rpc/serve-commands';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface RunServiceOptions {
  name: string;
  module: Type<unknown> | DynamicModule;
  port: number;
  host: string;
  logger: JsonLogger;
  /** Global pipes, filters and hooks of the service. */
  configure?: (app: NestFastifyApplication) => void | Promise<void>;
  /**
   * Which proxies' `X-Forwarded-For` to believe for the client's address (Fastify's `trustProxy`: addresses
   * or CIDRs, or a hop count); none by default, so a client cannot choose its own address.
   */
  trustProxy?: string | number;
}

/**
 * Starts a service on Fastify with JSON logs and graceful shutdown: on SIGTERM/SIGINT it stops taking
 * work, finishes what is in flight, drains NATS and closes the Postgres pool (via lifecycle hooks), logging
 * "service stopping" and "service stopped". While it boots (waiting for NATS or Postgres), the health port
 * already answers: live 200, ready 503 with the reason (e.g. NATS refused the credential).
 */
export async function runService(options: RunServiceOptions): Promise<NestFastifyApplication> {
  surviveUnhandledErrors(options.logger);
  const started: { app?: NestFastifyApplication } = {};
  let stopping = false;
  const bootHealth = options.port === 0 ? undefined : await startBootHealth(options.port, options.host);
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return; // a terminal's Ctrl-C and the runner's SIGTERM may both arrive
    stopping = true;
    options.logger.event('info', 'service stopping', { signal, pid: process.pid });
    void (async () => {
      try {
        await bootHealth?.close();
        await started.app?.close();
      } catch (error) {
        options.logger.event('error', 'shutdown failed', { error: errorFields(error) });
      }
      // Also when the signal came before the app existed; a no-op after the app's own shutdown hook flushed.
      await stopTelemetry().catch(() => undefined);
      options.logger.event('info', 'service stopped', { signal, pid: process.pid });
      process.exit(0);
    })();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const adapter = new FastifyAdapter({
    bodyLimit: MAX_BODY_BYTES,
    routerOptions: { ignoreTrailingSlash: true },
    forceCloseConnections: 'idle',
    ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}),
  });
  const app = await NestFactory.create<NestFastifyApplication>(options.module, adapter, {
    logger: options.logger,
    bufferLogs: false,
  });
  started.app = app;
  await options.configure?.(app);
  serveCommands(app);
  // Init hooks (streams, relays) complete before the first command is taken.
  await app.init();
  await app.startAllMicroservices();
  await bootHealth?.close();
  await app.listen(options.port, options.host);
  options.logger.event('info', 'service started', { port: options.port, pid: process.pid });
  return app;
}

function errorFields(error: unknown): Record<string, unknown> {
  return error instanceof Error
    ? { name: error.name, message: error.message, stack: error.stack }
    : { message: String(error) };
}

let survivalInstalled = false;

/**
 * An unhandled rejection or uncaught exception is a bug the service survives: it is logged as one JSON error
 * line with its stack, and the process keeps serving instead of taking every organization down with it.
 */
export function surviveUnhandledErrors(logger: JsonLogger): void {
  if (survivalInstalled) return;
  survivalInstalled = true;
  process.on('unhandledRejection', (reason) =>
    logger.event('error', 'unhandled rejection (bug: the service keeps running)', {
      error: errorFields(reason),
    }),
  );
  process.on('uncaughtException', (error, origin) =>
    logger.event('error', 'uncaught exception (bug: the service keeps running)', {
      origin,
      error: errorFields(error),
    }),
  );
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
  /** The proxies to trust for client addresses, read from the config (see RunServiceOptions). */
  trustProxy?: (config: C) => string | number | undefined;
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
      trustProxy: options.trustProxy?.(config),
    });
  };
  run().catch(exitOnBootFailure(new JsonLogger(options.name)));
}
