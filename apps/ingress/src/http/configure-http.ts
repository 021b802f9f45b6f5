import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { MAX_BODY_BYTES } from '@rocketlead/contracts';
import type { JsonLogger } from '@rocketlead/observability';
import { FORM_BODY_MAX_BYTES, FORM_TYPE, MULTIPART_TYPE, parseFormBody } from './form-body.parser';
import { HttpErrorFilter } from './http-error.filter';
import { inspectQueryAndParams } from './inspect-query.hook';
import { JSON_SUFFIX_TYPE, parseJsonBody } from './json-body.parser';
import { rejectNonJsonBodies } from './json-only.hook';
import { applyRouteHeaders } from './route-headers.hook';
import { createValidationPipe } from './validation';

/**
 * Validation, the one error shape, and JSON-only bodies within the limits for every route of ingress but the
 * few marked `FormBody` (SMS provider callbacks, one-click unsubscribe, public form submissions), and the
 * headers routes marked `RouteHeaders` carry on every answer.
 */
export function configureHttp(app: NestFastifyApplication, logger: JsonLogger): void {
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter(logger));
  // Replaces Fastify's JSON parser (which answers `__proto__` with "not valid JSON" and an empty body with
  // a 400) for application/json and every `+json` media type.
  for (const type of ['application/json', JSON_SUFFIX_TYPE]) {
    app.useBodyParser(type, { bodyLimit: MAX_BODY_BYTES }, (_request, body, done) => {
      try {
        done(null, parseJsonBody(body));
      } catch (error) {
        done(error as Error, undefined);
      }
    });
  }
  // Only reached on FormBody routes: the content-type hook refuses these types everywhere else. JSON bodies of
  // `json-or-form` routes go through the JSON parser above, with the JSON limits.
  app.useBodyParser(FORM_TYPE, { bodyLimit: FORM_BODY_MAX_BYTES }, (_request, body, done) => {
    try {
      done(null, parseFormBody(body));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  // A one-click unsubscribe may come as multipart; its content is not needed, so it is read and dropped.
  app.useBodyParser(MULTIPART_TYPE, { bodyLimit: FORM_BODY_MAX_BYTES }, (_request, _body, done) =>
    done(null, undefined),
  );
  const fastify = app.getHttpAdapter().getInstance();
  // First, so that the answers of the hooks after it (a refused content type) carry a route's headers too.
  fastify.addHook('onRequest', applyRouteHeaders);
  fastify.addHook('onRequest', rejectNonJsonBodies);
  fastify.addHook('preValidation', inspectQueryAndParams);
}
