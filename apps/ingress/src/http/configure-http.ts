import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { JsonLogger } from '@rocketlead/observability';
import { HttpErrorFilter } from './http-error.filter';
import { rejectNonJsonBodies } from './json-only.hook';
import { createValidationPipe } from './validation';

/** Validation, the one error shape, and JSON-only bodies for every route of ingress. */
export function configureHttp(app: NestFastifyApplication, logger: JsonLogger): void {
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter(logger));
  app.getHttpAdapter().getInstance().addHook('onRequest', rejectNonJsonBodies);
}
