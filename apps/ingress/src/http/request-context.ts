import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { uuidv7, type Actor, type Channel, type PublicRequestMessage } from '@rocketlead/contracts';
import { currentTraceparent } from '@rocketlead/observability';
import type { Principal } from '../auth/principal';

/** Correlation and trace identity of one HTTP request, carried to every command and event it causes. */
export interface RequestContext {
  correlationId: string;
  traceparent: string;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const CurrentRequest = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestContext => {
  const headers = ctx
    .switchToHttp()
    .getRequest<{ headers: Record<string, string | string[] | undefined> }>().headers;
  const requestId = headers['x-request-id'];
  const traceparent = headers.traceparent;
  return {
    correlationId: typeof requestId === 'string' && REQUEST_ID.test(requestId) ? requestId : uuidv7(),
    traceparent: currentTraceparent(typeof traceparent === 'string' ? traceparent : null),
  };
});

export function connectActor(principal: Principal, request: RequestContext): Actor {
  return actor(principal.organizationId, 'connect_api', principal.tokenId, request);
}

export function actor(
  organizationId: string,
  channel: Channel,
  apiTokenId: string | null,
  request: RequestContext,
): Actor {
  return {
    organizationId,
    channel,
    apiTokenId,
    memberId: null,
    correlationId: request.correlationId,
    traceparent: request.traceparent,
  };
}

/** The request identity a public (token-less) command carries instead of an actor. */
export function publicRequest(request: RequestContext): PublicRequestMessage {
  return { correlationId: request.correlationId, traceparent: request.traceparent };
}
