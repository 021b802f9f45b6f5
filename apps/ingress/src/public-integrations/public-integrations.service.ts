import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import {
  COMMANDS,
  DomainError,
  NATS_MAX_PAYLOAD_BYTES,
  type IntegrationProvider,
  type WebhookReceiveResult,
} from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';
import { publicRequest, type RequestContext } from '../http/request-context';

// What the encoded body may take of one NATS message, leaving room for the rest of the command.
const FORWARDED_BODY_BYTES = NATS_MAX_PAYLOAD_BYTES - 64 * 1024;

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
    if (!isUUID(connectionId)) return Promise.reject(new DomainError('NOT_FOUND', 'Integration not found'));
    // The body travels as a JSON string: a body of mostly escaped characters grows up to six times.
    if (Buffer.byteLength(JSON.stringify(body)) > FORWARDED_BODY_BYTES)
      return Promise.reject(
        new DomainError('PAYLOAD_TOO_LARGE', 'Webhook body too large once encoded for forwarding', {
          limit: FORWARDED_BODY_BYTES,
        }),
      );
    return this.rpc.request(
      COMMANDS.integrationsWebhookReceive,
      { provider, connectionId, body, signature, request: publicRequest(request) },
      { traceparent: request.traceparent },
    );
  }
}
