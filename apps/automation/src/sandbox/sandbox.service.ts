import { Inject, Injectable } from '@nestjs/common';
import type { SandboxGetCommand, SandboxSetCommand, SandboxSettings } from '@rocketlead/contracts';
import { TRANSACTION, type Transactional } from '@rocketlead/persistence';
import { SandboxRepository } from './sandbox.repository';

/** The organization's sandbox: while on, every automation of it runs as if `sandbox: true`. */
@Injectable()
export class SandboxService {
  constructor(
    private readonly settings: SandboxRepository,
    @Inject(TRANSACTION) private readonly transaction: Transactional,
  ) {}

  async get(command: SandboxGetCommand): Promise<SandboxSettings> {
    return { enabled: await this.settings.enabled(command.organizationId) };
  }

  async set(command: SandboxSetCommand): Promise<SandboxSettings> {
    const enabled = await this.transaction((manager) =>
      this.settings.setEnabled(manager, command.actor.organizationId, command.enabled),
    );
    return { enabled };
  }
}
