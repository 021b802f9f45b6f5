import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Msg, Subscription } from 'nats';
import type { CommandName, ErrorCode } from '@rocketlead/contracts';
import { DataSource } from 'typeorm';
import { deleteStreams, runService } from '@rocketlead/messaging';
import { JsonLogger } from '@rocketlead/observability';
import { transactional } from '@rocketlead/persistence';
import {
  runToCompletion,
  startService,
  startServiceIn,
  startTestEnvironment,
  stopService,
  type TestEnvironment,
} from '@rocketlead/testing';
import { AppModule } from '../src/app.module';
import { loadIngressConfig } from '../src/config';
import { configureHttp } from '../src/http/configure-http';
import { migrateIngress } from '../src/migrate';
import { OrganizationsService } from '../src/organizations/organizations.service';
import { OrganizationsRepository } from '../src/organizations/organizations.repository';
import { ApiTokensRepository } from '../src/api-tokens/api-tokens.repository';

export interface Res {
  status: number;
  body: Record<string, unknown>;
}

export interface IngressUnderTest extends TestEnvironment {
  app: NestFastifyApplication;
  /** A second ingress replica on the same database and namespace (`env` added); the caller closes it. */
  replica(env?: Record<string, string>): Promise<NestFastifyApplication>;
  /** A new organization and its admin token, as the operator's bootstrap command makes them. */
  bootstrap(name: string): Promise<{ organizationId: string; token: string }>;
  /** An HTTP request to the app in process; a string body is sent as it is, anything else as JSON. */
  call(
    method: string,
    url: string,
    token?: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Res>;
}

function runIngress(config: ReturnType<typeof loadIngressConfig>): Promise<NestFastifyApplication> {
  const logger = new JsonLogger('ingress', 'error');
  return runService({
    name: 'ingress',
    module: AppModule.forConfig(config),
    port: 0,
    host: '127.0.0.1',
    logger,
    configure: (a) => configureHttp(a, logger),
    trustProxy: config.TRUST_PROXY,
  });
}

/**
 * ingress in this process on a fresh database and namespace (on a loopback port, as it runs), with the services
 * it calls (`services`) as real processes migrated first; `env` adds configuration to ingress.
 */
export async function startIngress(
  name: string,
  services: string[],
  env: Record<string, string> = {},
): Promise<IngressUnderTest> {
  const environment = await startTestEnvironment({ name, deleteStreams });
  try {
    const { db, infra, namespace } = environment;
    const processOptions = { databaseUrl: db.url, natsUrl: infra.natsUrl, namespace };
    for (const service of services) {
      await runToCompletion(processOptions, service, 'main.js', ['migrate']);
      const running = await startService(processOptions, service);
      environment.onStop(() => stopService(running));
    }
    const { app } = await startServiceIn(environment, {
      loadConfig: (base) => loadIngressConfig({ ...base, HOST: '127.0.0.1', ...env }),
      migrate: migrateIngress,
      start: runIngress,
    });
    const dataSource = app.get(DataSource);
    const orgs = new OrganizationsService(
      new OrganizationsRepository(dataSource),
      new ApiTokensRepository(dataSource),
      transactional(dataSource),
    );
    return {
      ...environment,
      app,
      replica: (env = {}) => runIngress(loadIngressConfig({ ...environment.env, HOST: '127.0.0.1', ...env })),
      bootstrap: (organization) => orgs.bootstrap(organization),
      call: async (method, url, token, body, headers = {}) => {
        const res = await app.inject({
          method: method as 'GET',
          url,
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...headers,
          },
          ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
        });
        return {
          status: res.statusCode,
          body: res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {},
        };
      },
    };
  } catch (error) {
    await environment.stop();
    throw error;
  }
}

/** What a stand-in for a backing service answers a command with: a result, or an error. */
export type StandInAnswer =
  { result: unknown } | { error: ErrorCode; message: string; details?: Record<string, unknown> };

/**
 * Answers `command` on the test's real NATS namespace in place of the service that owns it (whose own
 * behaviour its tests and the e2e suite cover); unsubscribe the returned subscription when done.
 */
export function answerCommand<P>(
  ingress: IngressUnderTest,
  command: CommandName,
  answer: (payload: P) => StandInAnswer,
): Subscription {
  return ingress.nc.subscribe(ingress.names.command(command), {
    callback: (_error, msg: Msg) => {
      const reply = answer(msg.json<P>());
      msg.respond(
        JSON.stringify(
          'result' in reply
            ? { ok: true, result: reply.result }
            : {
                ok: false,
                error: {
                  code: reply.error,
                  message: reply.message,
                  ...(reply.details ? { details: reply.details } : {}),
                },
              },
        ),
      );
    },
  });
}
