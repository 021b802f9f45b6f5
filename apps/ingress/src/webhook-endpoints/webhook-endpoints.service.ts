import { Injectable } from '@nestjs/common';
import {
  COMMANDS,
  type CreateWebhookEndpointBody,
  type Delivery,
  type DeliveryAttempt,
  type Page,
  type UpdateWebhookEndpointBody,
  type WebhookEndpoint,
  type WebhookEndpointWithSecret,
} from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';
import type { Principal } from '../auth/principal';
import { given } from '../http/given-fields';
import { connectActor, type RequestContext } from '../http/request-context';
import { pageOf, type DeliveryPageQuery } from '../deliveries/dto/delivery-page.query';

const OPTIONAL_FIELDS = ['format', 'eventTypes', 'description', 'timeoutMs', 'enabled'] as const;
const ENDPOINT_FIELDS = ['url', ...OPTIONAL_FIELDS] as const;

/** Webhook endpoints, their secrets and attempt logs live in `delivery`; ingress authorizes and forwards. */
@Injectable()
export class WebhookEndpointsService {
  constructor(private readonly rpc: RpcClient) {}

  /** The answer carries the signing secret: the only time it is shown. */
  create(
    principal: Principal,
    dto: CreateWebhookEndpointBody,
    request: RequestContext,
  ): Promise<WebhookEndpointWithSecret> {
    return this.rpc.request(
      COMMANDS.endpointsCreate,
      { actor: connectActor(principal, request), url: dto.url, ...given(dto, OPTIONAL_FIELDS) },
      { traceparent: request.traceparent },
    );
  }

  list(
    principal: Principal,
    query: DeliveryPageQuery,
    request: RequestContext,
  ): Promise<Page<WebhookEndpoint>> {
    return this.rpc.request(
      COMMANDS.endpointsList,
      { organizationId: principal.organizationId, ...pageOf(query) },
      { traceparent: request.traceparent },
    );
  }

  get(principal: Principal, id: string, request: RequestContext): Promise<WebhookEndpoint> {
    return this.rpc.request(
      COMMANDS.endpointsGet,
      { organizationId: principal.organizationId, id },
      { traceparent: request.traceparent },
    );
  }

  update(
    principal: Principal,
    id: string,
    dto: UpdateWebhookEndpointBody,
    request: RequestContext,
  ): Promise<WebhookEndpoint> {
    return this.rpc.request(
      COMMANDS.endpointsUpdate,
      { actor: connectActor(principal, request), id, ...given(dto, ENDPOINT_FIELDS) },
      { traceparent: request.traceparent },
    );
  }

  remove(principal: Principal, id: string, request: RequestContext): Promise<WebhookEndpoint> {
    return this.rpc.request(
      COMMANDS.endpointsDelete,
      { actor: connectActor(principal, request), id },
      { traceparent: request.traceparent },
    );
  }

  rotateSecret(principal: Principal, id: string, request: RequestContext): Promise<{ secret: string }> {
    return this.rpc.request(
      COMMANDS.endpointsRotateSecret,
      { actor: connectActor(principal, request), id },
      { traceparent: request.traceparent },
    );
  }

  attempts(
    principal: Principal,
    id: string,
    query: DeliveryPageQuery,
    request: RequestContext,
  ): Promise<Page<DeliveryAttempt>> {
    return this.rpc.request(
      COMMANDS.endpointsAttempts,
      { organizationId: principal.organizationId, id, ...pageOf(query) },
      { traceparent: request.traceparent },
    );
  }

  /** A `webhook.test` delivery to the endpoint, queued like any other. */
  test(principal: Principal, id: string, request: RequestContext): Promise<Delivery> {
    return this.rpc.request(
      COMMANDS.endpointsTest,
      { actor: connectActor(principal, request), id },
      { traceparent: request.traceparent },
    );
  }
}
