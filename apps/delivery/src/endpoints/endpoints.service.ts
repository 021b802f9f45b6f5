import { Injectable } from '@nestjs/common';
import {
  validationFailed,
  DELIVERY_LIMITS,
  DomainError,
  type DeliveryAttempt,
  type EndpointsAttemptsCommand,
  type EndpointsCreateCommand,
  type EndpointsDeleteCommand,
  type EndpointsGetCommand,
  type EndpointsListCommand,
  type EndpointsRotateSecretCommand,
  type EndpointsUpdateCommand,
  type Page,
  type WebhookEndpoint,
  type WebhookEndpointWithSecret,
} from '@rocketlead/contracts';
import { clientCursor, pageOf } from '@rocketlead/persistence';
import { eventTypeErrors } from './event-type-patterns';
import { EndpointsRepository, type EndpointChanges } from './endpoints.repository';

export const endpointNotFound = (): DomainError => new DomainError('NOT_FOUND', 'Webhook endpoint not found');

/** Webhook endpoints of an organization: what they receive, and their signing secrets. */
@Injectable()
export class EndpointsService {
  constructor(private readonly endpoints: EndpointsRepository) {}

  async create(command: EndpointsCreateCommand): Promise<WebhookEndpointWithSecret> {
    const organizationId = command.actor.organizationId;
    const eventTypes = command.eventTypes ?? [];
    const errors = eventTypeErrors(eventTypes);
    if (errors.length) throw validationFailed(errors);
    if ((await this.endpoints.count(organizationId)) >= DELIVERY_LIMITS.endpointsPerOrganization)
      throw new DomainError(
        'CONFLICT',
        `An organization may have at most ${DELIVERY_LIMITS.endpointsPerOrganization} webhook endpoints`,
      );
    const { endpoint, secret } = await this.endpoints.create(organizationId, {
      url: command.url,
      format: command.format ?? 'standard',
      eventTypes: [...new Set(eventTypes)],
      description: command.description ?? null,
      timeoutMs: command.timeoutMs ?? DELIVERY_LIMITS.timeoutMsDefault,
      enabled: command.enabled ?? true,
    });
    return { ...endpoint, secret };
  }

  async list(command: EndpointsListCommand): Promise<Page<WebhookEndpoint>> {
    const after = clientCursor(command.cursor);
    const rows = await this.endpoints.list(command.organizationId, command.limit + 1, after);
    return pageOf(rows, command.limit, (e) => ({ at: e.createdAt, id: e.id }));
  }

  async get(command: EndpointsGetCommand): Promise<WebhookEndpoint> {
    return (
      (await this.endpoints.find(command.organizationId, command.id)) ?? Promise.reject(endpointNotFound())
    );
  }

  async update(command: EndpointsUpdateCommand): Promise<WebhookEndpoint> {
    const changes: EndpointChanges = {};
    const nullField = (['url', 'format', 'eventTypes', 'timeoutMs', 'enabled'] as const).find(
      (key) => command[key] === null,
    );
    if (nullField) throw validationFailed([{ field: nullField, message: 'must not be null' }]);
    if (command.url !== undefined) changes.url = command.url;
    if (command.format !== undefined) changes.format = command.format;
    if (command.eventTypes !== undefined) {
      const errors = eventTypeErrors(command.eventTypes);
      if (errors.length) throw validationFailed(errors);
      changes.eventTypes = [...new Set(command.eventTypes)];
    }
    if (command.description !== undefined) changes.description = command.description;
    if (command.timeoutMs !== undefined) changes.timeoutMs = command.timeoutMs;
    if (command.enabled !== undefined) changes.enabled = command.enabled;
    const updated = await this.endpoints.update(command.actor.organizationId, command.id, changes);
    if (!updated) throw endpointNotFound();
    return updated;
  }

  async delete(command: EndpointsDeleteCommand): Promise<WebhookEndpoint> {
    return (
      (await this.endpoints.delete(command.actor.organizationId, command.id)) ??
      Promise.reject(endpointNotFound())
    );
  }

  async rotateSecret(command: EndpointsRotateSecretCommand): Promise<{ secret: string }> {
    const secret = await this.endpoints.rotate(
      command.actor.organizationId,
      command.id,
      DELIVERY_LIMITS.rotationOverlapMs,
    );
    if (secret === null) throw endpointNotFound();
    return { secret };
  }

  async attempts(command: EndpointsAttemptsCommand): Promise<Page<DeliveryAttempt>> {
    const after = clientCursor(command.cursor);
    if (!(await this.endpoints.find(command.organizationId, command.id))) throw endpointNotFound();
    const rows = await this.endpoints.attempts(command.organizationId, command.id, command.limit + 1, after);
    return pageOf(rows, command.limit, (a) => ({ at: a.attemptedAt, id: a.id }));
  }
}
