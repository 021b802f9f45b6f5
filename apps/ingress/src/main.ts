import { startTelemetry } from '@rocketlead/observability';
startTelemetry('ingress');

import 'reflect-metadata';
import { JsonLogger } from '@rocketlead/observability';
import { exitOnBootFailure, runService } from '@rocketlead/messaging';
import { AppModule, SERVICE_NAME } from './app.module';
import { loadIngressConfig } from './config';
import { createValidationPipe } from './http/validation';
import { HttpErrorFilter, toHttpError } from './http/http-error.filter';
import { rejectNonJsonBodies } from './http/json-only.hook';
import { migrateIngress } from './migrate';

async function main(): Promise<void> {
  const config = loadIngressConfig();
  const logger = new JsonLogger(SERVICE_NAME, config.LOG_LEVEL);
  if (process.argv.includes('migrate')) {
    logger.event('info', 'migrated', await migrateIngress(config));
    return;
  }
  await runService({
    name: SERVICE_NAME,
    module: AppModule.forConfig(config),
    port: config.PORT,
    host: config.HOST,
    logger,
    configure: (app) => {
      app.useGlobalPipes(createValidationPipe());
      app.useGlobalFilters(new HttpErrorFilter(logger));
      // Body-parser errors (size, JSON, content type) are raised by Fastify before Nest sees the request.
      const fastify = app.getHttpAdapter().getInstance();
      fastify.setErrorHandler((error, _request, reply) => {
        const body = toHttpError(error);
        void reply.status(body.statusCode).send(body);
      });
      fastify.addHook('onRequest', rejectNonJsonBodies);
    },
  });
}

main().catch(exitOnBootFailure(new JsonLogger(SERVICE_NAME)));
