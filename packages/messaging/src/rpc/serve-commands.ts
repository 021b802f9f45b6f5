import type { INestApplication, INestMicroservice } from '@nestjs/common';
import { NestMicroservice, type MicroserviceOptions } from '@nestjs/microservices';
import { CommandTransportServer } from './command-transport.server';
import { CommandErrorFilter } from './command-error.filter';
import { PayloadValidationPipe } from './payload-validation.pipe';

/**
 * Connects the command transport to an application (a hybrid HTTP + microservice app): every
 * `@MessagePattern` of its controllers is served once `app.startAllMicroservices()` runs. The microservice
 * gets its own global pipe and filter (payload validation, typed errors) rather than inheriting the HTTP
 * app's, so neither side's error handling leaks into the other.
 */
export function serveCommands(app: INestApplication): INestMicroservice {
  const microservice = app.connectMicroservice<MicroserviceOptions>(
    { strategy: app.get(CommandTransportServer) },
    // Deferred so the global pipe and filter exist before Nest builds the handlers.
    { deferInitialization: true },
  );
  microservice.useGlobalPipes(new PayloadValidationPipe());
  microservice.useGlobalFilters(new CommandErrorFilter());
  // The application itself runs the init and bootstrap hooks; the microservice must not run them again.
  if (microservice instanceof NestMicroservice) microservice.setIsInitHookCalled(true);
  return microservice;
}
