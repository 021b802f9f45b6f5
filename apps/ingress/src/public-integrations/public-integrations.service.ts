import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import {
  COMMANDS,
  DomainError,
  type IntegrationProvider,
  type WebhookReceiveResult,
} from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';
import { publicRequest, type RequestContext } from '../http/request-context';

/**
 * A provider's webhook, forwarded as received: integrations finds the connection, checks the signature over
 * these exact bytes and stores the delivery; ingress only maps its answer to HTTP.
 */
@Injectable()
export class PublicIntegrationsService {
  constructor(private readonly rpc: RpcClient) {}

  receive(
    provider: IntegrationProvider,
    connectionId: string,
    body: string,
    signature: string | null,
    request: RequestContext,
  ): Promise<WebhookReceiveResult> {
    // A webhook URL that is not one we made names no connection: the provider should see a 404, not a 400.
    if (!isUUID(connectionId)) return Promise.reject(new DomainError('NOT_FOUND', 'Connection not found'));
    return this.rpc.request(
      COMMANDS.integrationsWebhookReceive,
      { provider, connectionId, body, signature, request: publicRequest(request) },
      { traceparent: request.traceparent },
    );
  }
}
