import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { deleteStreams, startInProcess } from '@rocketlead/messaging';
import { JsonLogger } from '@rocketlead/observability';
import { startServiceApp, type ServiceUnderTest } from '@rocketlead/testing';
import { AppModule } from '../src/app.module';
import { loadIntegrationsConfig, type IntegrationsConfig } from '../src/config';
import { migrateIntegrations } from '../src/migrate';

export type IntegrationsUnderTest = ServiceUnderTest<IntegrationsConfig, INestApplication>;

/**
 * integrations in this process on a fresh database and namespace, with a fresh encryption key; `env` adds
 * configuration (the provider APIs' addresses: tests point them at local fakes).
 */
export function startIntegrations(name: string, env: Record<string, string>): Promise<IntegrationsUnderTest> {
  return startServiceApp<IntegrationsConfig, INestApplication>({
    name,
    deleteStreams,
    loadConfig: (base) =>
      loadIntegrationsConfig({
        ...base,
        INTEGRATIONS_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
        ...env,
      }),
    migrate: migrateIntegrations,
    start: (config) => startInProcess(AppModule.forConfig(config), new JsonLogger('integrations', 'error')),
  });
}
