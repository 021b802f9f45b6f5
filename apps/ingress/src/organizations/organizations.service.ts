import type { Transactional } from '@rocketlead/persistence';
import { ApiTokensRepository } from '../api-tokens/api-tokens.repository';
import { OrganizationsRepository } from './organizations.repository';

export interface BootstrapResult {
  organizationId: string;
  token: string;
}

/** Creates an organization with its first admin token; the only way in before any token exists. */
export class OrganizationsService {
  constructor(
    private readonly organizations: OrganizationsRepository,
    private readonly tokens: ApiTokensRepository,
    private readonly transaction: Transactional,
  ) {}

  bootstrap(name: string): Promise<BootstrapResult> {
    const trimmed = name.trim();
    if (trimmed.length === 0 || trimmed.length > 200) throw new Error('--org must be 1-200 characters');
    return this.transaction(async (manager) => {
      const org = await this.organizations.insert(manager, trimmed);
      const { token } = await this.tokens.create(org.id, 'bootstrap admin', ['admin'], manager);
      return { organizationId: org.id, token };
    });
  }
}
