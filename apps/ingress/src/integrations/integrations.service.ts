import { Injectable } from '@nestjs/common';
import {
  COMMANDS,
  type CreateEventbriteConnectionBody,
  type CreateStripeConnectionBody,
  type IntegrationConnection,
  type IntegrationDelivery,
  type Page,
  type UpdateConnectionBody,
} from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';
import type { Principal } from '../auth/principal';
import { given } from '../http/given-fields';
import { pageFields, type PageQuery } from '../http/page.query';
import type { RequestContext } from '../http/request-context';
import type { ListIntegrationsQuery } from './dto/list-integrations.query';

/**
 * Provider connections live in `integrations`, which encrypts their secrets and never returns them; ingress
 * authorizes and forwards.
 */
@Injectable()
export class IntegrationsService {
  constructor(private readonly rpc: RpcClient) {}

  connectStripe(
    principal: Principal,
    dto: CreateStripeConnectionBody,
    request: RequestContext,
  ): Promise<IntegrationConnection> {
    return this.rpc.request(
      COMMANDS.integrationsConnectStripe,
      {
        organizationId: principal.organizationId,
        tableId: dto.tableId,
        webhookSecret: dto.webhookSecret,
        ...given(dto, ['apiKey'] as const),
        // integrations checks the pool with leads.
        traceparent: request.traceparent,
      },
      { traceparent: request.traceparent },
    );
  }

  connectEventbrite(
    principal: Principal,
    dto: CreateEventbriteConnectionBody,
    request: RequestContext,
  ): Promise<IntegrationConnection> {
    return this.rpc.request(
      COMMANDS.integrationsConnectEventbrite,
      {
        organizationId: principal.organizationId,
        tableId: dto.tableId,
        apiToken: dto.apiToken,
        traceparent: request.traceparent,
      },
      { traceparent: request.traceparent },
    );
  }

  list(
    principal: Principal,
    query: ListIntegrationsQuery,
    request: RequestContext,
  ): Promise<Page<IntegrationConnection>> {
    return this.rpc.request(
      COMMANDS.integrationsList,
      {
        organizationId: principal.organizationId,
        ...pageFields(query),
        ...given(query, ['provider'] as const),
      },
      { traceparent: request.traceparent },
    );
  }

  get(principal: Principal, id: string, request: RequestContext): Promise<IntegrationConnection> {
    return this.rpc.request(
      COMMANDS.integrationsGet,
      { organizationId: principal.organizationId, id },
      { traceparent: request.traceparent },
    );
  }

  update(
    principal: Principal,
    id: string,
    dto: UpdateConnectionBody,
    request: RequestContext,
  ): Promise<IntegrationConnection> {
    return this.rpc.request(
      COMMANDS.integrationsUpdate,
      {
        organizationId: principal.organizationId,
        id,
        ...given(dto, ['webhookSecret', 'apiKey', 'apiToken'] as const),
        traceparent: request.traceparent,
      },
      { traceparent: request.traceparent },
    );
  }

  remove(principal: Principal, id: string, request: RequestContext): Promise<IntegrationConnection> {
    return this.rpc.request(
      COMMANDS.integrationsDelete,
      { organizationId: principal.organizationId, id },
      { traceparent: request.traceparent },
    );
  }

  deliveries(
    principal: Principal,
    id: string,
    query: PageQuery,
    request: RequestContext,
  ): Promise<Page<IntegrationDelivery>> {
    return this.rpc.request(
      COMMANDS.integrationsDeliveries,
      { organizationId: principal.organizationId, id, ...pageFields(query) },
      { traceparent: request.traceparent },
    );
  }
}
