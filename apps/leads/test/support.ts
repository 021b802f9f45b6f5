import type { INestApplication } from '@nestjs/common';
import { deleteStreams, startInProcess } from '@rocketlead/messaging';
import { JsonLogger } from '@rocketlead/observability';
import { startServiceApp, type ServiceUnderTest } from '@rocketlead/testing';
import { AppModule } from '../src/app.module';
import { loadLeadsConfig, type LeadsConfig } from '../src/config';
import { migrateLeads } from '../src/migrate';

export type LeadsUnderTest = ServiceUnderTest<LeadsConfig, INestApplication>;

/**
 * leads in this process on a fresh database and namespace. With `commands: false` it takes no commands from
 * NATS (a test then calls its services directly); `env` adds to or overrides its environment.
 */
export function startLeads(
  name: string,
  { commands = true, env = {} }: { commands?: boolean; env?: Record<string, string> } = {},
): Promise<LeadsUnderTest> {
  return startServiceApp<LeadsConfig, INestApplication>({
    name,
    deleteStreams,
    loadConfig: (base) => loadLeadsConfig({ ...base, ...env }),
    migrate: migrateLeads,
    start: (config) =>
      startInProcess(AppModule.forConfig(config), new JsonLogger('leads', 'error'), { commands }),
  });
}
