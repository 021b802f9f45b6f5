import { Injectable } from '@nestjs/common';
import {
  DomainError,
  INTEGRATION_LIMITS,
  uuidv7,
  type IntegrationConnection,
  type IntegrationProvider,
  type IntegrationsConnectEventbriteCommand,
  type IntegrationsConnectStripeCommand,
  type IntegrationDelivery,
  type IntegrationsDeleteCommand,
  type IntegrationsDeliveriesCommand,
  type IntegrationsGetCommand,
  type IntegrationsListCommand,
  type IntegrationsUpdateCommand,
  type FieldError,
  type Page,
} from '@rocketlead/contracts';
import { clientCursor, pageOf } from '@rocketlead/persistence';
import { LeadsGateway } from '../gateways/leads.gateway';
import type { ConnectionEntity } from './connection.entity';
import { ConnectionSecretsBox, type ConnectionSecrets } from './connection-secrets';
import { ConnectionsRepository } from './connections.repository';
import { InboundWebhooksRepository } from '../webhooks/inbound-webhooks.repository';

export const connectionNotFound = (): DomainError => new DomainError('NOT_FOUND', 'Integration not found');

/** The path to paste into the provider's dashboard (under the platform's public address). */
export const webhookPath = (provider: IntegrationProvider, id: string): string =>
  `/public/integrations/${provider}/${id}`;

/** A connection as the API shows it: never its secrets. */
export function toConnection(row: ConnectionEntity): IntegrationConnection {
  return {
    id: row.id,
    provider: row.provider,
    tableId: row.tableId,
    webhookUrl: webhookPath(row.provider, row.id),
    hasApiKey: row.hasApiKey,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Provider connections of an organization: which pool their contacts live in, and their sealed secrets. */
@Injectable()
export class ConnectionsService {
  constructor(
    private readonly connections: ConnectionsRepository,
    private readonly secrets: ConnectionSecretsBox,
    private readonly leads: LeadsGateway,
    private readonly webhooks: InboundWebhooksRepository,
  ) {}

  connectStripe(command: IntegrationsConnectStripeCommand): Promise<IntegrationConnection> {
    return this.connect(command, {
      provider: 'stripe',
      webhookSecret: command.webhookSecret,
      apiKey: command.apiKey ?? null,
    });
  }

  connectEventbrite(command: IntegrationsConnectEventbriteCommand): Promise<IntegrationConnection> {
    return this.connect(command, { provider: 'eventbrite', apiToken: command.apiToken });
  }

  async list(command: IntegrationsListCommand): Promise<Page<IntegrationConnection>> {
    const after = clientCursor(command.cursor);
    const rows = await this.connections.list(
      command.organizationId,
      command.provider,
      command.limit + 1,
      after,
    );
    return pageOf(rows.map(toConnection), command.limit, (c) => ({ at: c.createdAt, id: c.id }));
  }

  async get(command: IntegrationsGetCommand): Promise<IntegrationConnection> {
    const row = await this.connections.find(command.organizationId, command.id);
    if (!row) throw connectionNotFound();
    return toConnection(row);
  }

  /** Replaces the secrets given; each belongs to one provider, and naming another's is a 400 naming it. */
  async update(command: IntegrationsUpdateCommand): Promise<IntegrationConnection> {
    const row = await this.connections.update(command.organizationId, command.id, (current) => {
      const secrets = this.secrets.open(current.secrets);
      const next = updatedSecrets(secrets, command);
      return {
        secrets: this.secrets.seal(next),
        hasApiKey: next.provider === 'stripe' && next.apiKey !== null,
      };
    });
    if (!row) throw connectionNotFound();
    return toConnection(row);
  }

  async delete(command: IntegrationsDeleteCommand): Promise<IntegrationConnection> {
    const row = await this.connections.delete(command.organizationId, command.id);
    if (!row) throw connectionNotFound();
    return toConnection(row);
  }

  /** The connection's inbound webhooks, newest first, with what became of each. */
  async deliveries(command: IntegrationsDeliveriesCommand): Promise<Page<IntegrationDelivery>> {
    const after = clientCursor(command.cursor);
    if (!(await this.connections.find(command.organizationId, command.id))) throw connectionNotFound();
    const rows = await this.webhooks.deliveries(command.organizationId, command.id, command.limit + 1, after);
    return pageOf(rows, command.limit, (d) => ({ at: d.receivedAt, id: d.id }));
  }

  private async connect(
    command: { organizationId: string; tableId: string; traceparent?: string | null },
    secrets: ConnectionSecrets,
  ): Promise<IntegrationConnection> {
    const { organizationId, tableId } = command;
    if (!(await this.leads.poolExists(organizationId, tableId, command.traceparent ?? null)))
      throw new DomainError('VALIDATION_FAILED', 'Validation failed', {
        errors: [{ field: 'tableId', message: 'is not a lead pool of this organization' }],
      });
    if ((await this.connections.count(organizationId)) >= INTEGRATION_LIMITS.connectionsPerOrganization)
      throw new DomainError(
        'CONFLICT',
        `An organization may have at most ${INTEGRATION_LIMITS.connectionsPerOrganization} integrations; delete one first`,
      );
    const row = await this.connections.insert({
      id: uuidv7(),
      organizationId,
      provider: secrets.provider,
      tableId,
      secrets: this.secrets.seal(secrets),
      hasApiKey: secrets.provider === 'stripe' && secrets.apiKey !== null,
      createdAt: new Date(),
    });
    return toConnection(row);
  }
}

const SECRET_FIELDS: Record<IntegrationProvider, readonly (keyof IntegrationsUpdateCommand)[]> = {
  stripe: ['webhookSecret', 'apiKey'],
  eventbrite: ['apiToken'],
};

/** The secrets after an update: the given ones replace the stored ones; another provider's field is refused. */
export function updatedSecrets(
  current: ConnectionSecrets,
  change: IntegrationsUpdateCommand,
): ConnectionSecrets {
  const errors: FieldError[] = [];
  for (const [provider, fields] of Object.entries(SECRET_FIELDS))
    if (provider !== current.provider)
      for (const field of fields)
        if (change[field] !== undefined)
          errors.push({ field, message: `is not a secret of a ${current.provider} connection` });
  if (errors.length > 0) throw new DomainError('VALIDATION_FAILED', 'Validation failed', { errors });
  if (current.provider === 'eventbrite') return { ...current, apiToken: change.apiToken ?? current.apiToken };
  return {
    ...current,
    webhookSecret: change.webhookSecret ?? current.webhookSecret,
    apiKey: change.apiKey === undefined ? current.apiKey : change.apiKey,
  };
}
