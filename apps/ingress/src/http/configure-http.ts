import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DomainError, MAX_BODY_BYTES } from '@rocketlead/contracts';
import type { JsonLogger } from '@rocketlead/observability';
import { FORM_BODY_MAX_BYTES, FORM_TYPE, MULTIPART_TYPE, parseFormBody } from './form-body.parser';
import { HttpErrorFilter } from './http-error.filter';
import { inspectQueryAndParams } from './inspect-query.hook';
import { JSON_SUFFIX_TYPE, parseJsonBody } from './json-body.parser';
import { rejectNonJsonBodies } from './json-only.hook';
import { applyRawBodyLimits, rawOr } from './raw-body';
import { applyRouteHeaders } from './route-headers.hook';
import { createValidationPipe } from './validation';

/**
 * Validation, the one error shape, and JSON-only bodies within the limits for every route of ingress but the
 * few marked `FormBody` (SMS provider callbacks, one-click unsubscribe, public form submissions) or
 * `RawBodyRoute` (provider webhooks, bytes kept as sent), and the
 * headers routes marked `RouteHeaders` carry on every answer.
 */
export function configureHttp(app: NestFastifyApplication, logger: JsonLogger): void {
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter(logger));
  // Replaces Fastify's JSON parser (which answers `__proto__` with "not valid JSON" and an empty body with
  // a 400) for application/json and every `+json` media type. Every parser leaves a raw route's body as it came.
  for (const type of ['application/json', JSON_SUFFIX_TYPE])
    app.useBodyParser(type, { bodyLimit: MAX_BODY_BYTES }, rawOr(parseJsonBody));
  // Only reached on FormBody and raw routes: the content-type hook refuses these types everywhere else. JSON
  // bodies of `json-or-form` routes go through the JSON parser above, with the JSON limits.
  app.useBodyParser(FORM_TYPE, { bodyLimit: FORM_BODY_MAX_BYTES }, rawOr(parseFormBody));
  // A one-click unsubscribe may come as multipart; its content is not needed, so it is read and dropped.
  app.useBodyParser(
    MULTIPART_TYPE,
    { bodyLimit: FORM_BODY_MAX_BYTES },
    rawOr(() => undefined),
  );
  // Any other type (or none): only raw routes take it (provider webhooks); the content-type hook refuses it on
  // the others before it is read.
  app.useBodyParser(
    '*',
    { bodyLimit: FORM_BODY_MAX_BYTES },
    rawOr(() => {
      throw new DomainError('BAD_REQUEST', 'Content-Type must be application/json', {
        field: 'Content-Type',
      });
    }),
  );
  const fastify = app.getHttpAdapter().getInstance();
  // First, so that the answers of the hooks after it (a refused content type) carry a route's headers too.
  fastify.addHook('onRoute', applyRawBodyLimits);
  fastify.addHook('onRequest', applyRouteHeaders);
  fastify.addHook('onRequest', rejectNonJsonBodies);
  fastify.addHook('preValidation', inspectQueryAndParams);
}
