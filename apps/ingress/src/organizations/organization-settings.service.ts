import { Injectable } from '@nestjs/common';
import {
  COMMANDS,
  DomainError,
  type OrganizationSettings,
  type UpdateOrganizationSettingsBody,
} from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';
import type { Principal } from '../auth/principal';
import type { RequestContext } from '../http/request-context';
import { OrganizationsRepository } from './organizations.repository';

/** The caller's organization: what ingress keeps (name, creation) with the settings leads keeps (timezone). */
export interface OrganizationView extends OrganizationSettings {
  id: string;
  name: string;
  createdAt: string;
}

@Injectable()
export class OrganizationSettingsService {
  constructor(
    private readonly organizations: OrganizationsRepository,
    private readonly rpc: RpcClient,
  ) {}

  async get(principal: Principal, request: RequestContext): Promise<OrganizationView> {
    const [organization, settings] = await Promise.all([
      this.organizations.find(principal.organizationId),
      this.rpc.request(
        COMMANDS.organizationSettingsGet,
        { organizationId: principal.organizationId },
        { traceparent: request.traceparent },
      ),
    ]);
    return this.view(principal.organizationId, organization, settings);
  }

  // Leads checks the zone (a bad one is its 400 naming timezone); ingress only adds what it keeps itself.
  async update(
    principal: Principal,
    dto: UpdateOrganizationSettingsBody,
    request: RequestContext,
  ): Promise<OrganizationView> {
    const settings = await this.rpc.request(
      COMMANDS.organizationSettingsUpdate,
      { organizationId: principal.organizationId, timezone: dto.timezone },
      { traceparent: request.traceparent },
    );
    const organization = await this.organizations.find(principal.organizationId);
    return this.view(principal.organizationId, organization, settings);
  }

  private view(
    id: string,
    organization: { name: string; createdAt: Date } | null,
    settings: OrganizationSettings,
  ): OrganizationView {
    // A token outlives nothing it belongs to, so this is a deleted organization racing its own request.
    if (!organization) throw new DomainError('NOT_FOUND', 'Organization not found', { id });
    return {
      id,
      name: organization.name,
      createdAt: organization.createdAt.toISOString(),
      timezone: settings.timezone,
    };
  }
}
