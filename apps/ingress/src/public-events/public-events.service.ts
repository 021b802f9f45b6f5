import { Injectable } from '@nestjs/common';
import {
  COMMANDS,
  DomainError,
  RsvpBody,
  RsvpCancelBody,
  validateMessage,
  type PublicCrmEvent,
  type RsvpResult,
} from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';
import { toHttpError } from '../http/http-error.filter';
import { fieldErrorsOf, HTML, prefersHtml, type PublicAnswer } from '../http/html-page';
import { publicRequest, type RequestContext } from '../http/request-context';
import { cancelledPage, registeredPage, rsvpErrorPage } from './event-pages';

/** The answer to a cancelled registration: no ids beyond what an RSVP answers. */
export interface RsvpCancelResult {
  status: 'cancelled';
}

/** The body checked here, not by the global pipe, so that a browser gets a page naming the fields too. */
function checked<T extends object>(type: new () => T, body: unknown): T {
  const errors = validateMessage(type, body);
  if (errors.length > 0) throw new DomainError('VALIDATION_FAILED', 'Validation failed', { errors });
  return body as T;
}

/**
 * A CRM event's public side: what anyone may read of it, RSVPs and their cancellation, with no Connect token.
 * calendar matches the contact and checks the capacity; ingress maps its answers to HTTP.
 */
@Injectable()
export class PublicEventsService {
  constructor(private readonly rpc: RpcClient) {}

  get(id: string, request: RequestContext): Promise<PublicCrmEvent> {
    return this.rpc.request(COMMANDS.crmEventsPublicGet, { id }, { traceparent: request.traceparent });
  }

  /** 201 when registered (or re-activated), 200 when the registration was already active. */
  rsvp(
    eventId: string,
    body: unknown,
    accept: string | undefined,
    request: RequestContext,
  ): Promise<PublicAnswer<RsvpResult | string>> {
    return this.answer('rsvp', accept, async () => {
      const { email, name, phone } = checked(RsvpBody, body);
      const result = await this.rpc.request(
        COMMANDS.registrationsRsvp,
        {
          eventId,
          email,
          ...(name !== undefined ? { name } : {}),
          ...(phone !== undefined ? { phone } : {}),
          request: publicRequest(request),
        },
        { traceparent: request.traceparent },
      );
      return {
        statusCode: result.status === 'registered' ? 201 : 200,
        json: result,
        page: () => registeredPage(result.status),
      };
    });
  }

  /** 200 when the contact's active registration was cancelled; 404 when there was none. */
  cancel(
    eventId: string,
    body: unknown,
    accept: string | undefined,
    request: RequestContext,
  ): Promise<PublicAnswer<RsvpCancelResult | string>> {
    return this.answer('cancel', accept, async () => {
      const { email } = checked(RsvpCancelBody, body);
      await this.rpc.request(
        COMMANDS.registrationsRsvpCancel,
        { eventId, email, request: publicRequest(request) },
        { traceparent: request.traceparent },
      );
      return { statusCode: 200, json: { status: 'cancelled' as const }, page: cancelledPage };
    });
  }

  /**
   * JSON for programs; for a browser posting a form without script (it prefers HTML), the same status with a
   * short page, refusals included (a 400 page lists the fields to correct). Server failures stay JSON errors.
   */
  private async answer<T>(
    action: 'rsvp' | 'cancel',
    accept: string | undefined,
    run: () => Promise<{ statusCode: number; json: T; page: () => string }>,
  ): Promise<PublicAnswer<T | string>> {
    const html = prefersHtml(accept);
    try {
      const { statusCode, json, page } = await run();
      return html ? { statusCode, headers: HTML, body: page() } : { statusCode, headers: {}, body: json };
    } catch (error) {
      const answer = toHttpError(error);
      if (!html || answer.statusCode >= 500) throw error;
      return {
        statusCode: answer.statusCode,
        headers: HTML,
        body: rsvpErrorPage(action, answer.statusCode, fieldErrorsOf(answer)),
      };
    }
  }
}
