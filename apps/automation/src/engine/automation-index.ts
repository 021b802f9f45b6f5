import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { NotifiedCache } from '@rocketlead/persistence';
import { AUTOMATIONS_CHANNEL, SETTINGS_CHANNEL } from '../database/channels';
import { EngineRepository } from './engine.repository';
import { buildIndex, type AutomationIndex } from './matcher';

/** A copy is never older than this, even when a notification was lost. */
const MAX_AGE_MS = 5_000;

/**
 * Per organization, its active automations by event type and its sandbox setting, in memory: matching an
 * event costs no query. The API NOTIFYs on every change (in the change's transaction), which drops the copy
 * in every replica when it commits.
 */
@Injectable()
export class AutomationIndexService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly automations = new NotifiedCache<AutomationIndex>({
    channel: AUTOMATIONS_CHANNEL,
    maxAgeMs: MAX_AGE_MS,
    applicationName: 'automation-index',
  });
  private readonly settings = new NotifiedCache<{ sandbox: boolean }>({
    channel: SETTINGS_CHANNEL,
    maxAgeMs: MAX_AGE_MS,
    applicationName: 'automation-settings',
  });

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: EngineRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { url } = this.dataSource.options as { url?: string };
    if (url) await Promise.all([this.automations.listen(url), this.settings.listen(url)]);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.automations.stop(), this.settings.stop()]);
  }

  /** The organization's active automations by event type; a miss is read with `manager` when given. */
  async index(organizationId: string, manager?: EntityManager): Promise<AutomationIndex> {
    const index = await this.automations.read(organizationId, async () =>
      buildIndex(await this.repository.activeAutomations(organizationId, manager)),
    );
    return index ?? new Map();
  }

  /** Whether the organization's sandbox is on (every automation then runs in sandbox). */
  async sandbox(organizationId: string, manager?: EntityManager): Promise<boolean> {
    const settings = await this.settings.read(organizationId, async () => ({
      sandbox: await this.repository.sandboxEnabled(organizationId, manager),
    }));
    return settings?.sandbox ?? false;
  }
}
