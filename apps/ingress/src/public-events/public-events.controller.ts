import { Body, Controller, Get, Headers, HttpCode, Options, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { PublicCrmEvent, RsvpResult } from '@rocketlead/contracts';
import { FormBody } from '../http/form-body.parser';
import { CurrentRequest, type RequestContext } from '../http/request-context';
import { RouteHeaders } from '../http/route-headers.hook';
import { UuidParam } from '../http/uuid-param.pipe';
import { RateLimited } from '../public-rate-limit/public-rate-limit.guard';
import { PublicEventsService, type RsvpCancelResult } from './public-events.service';

const NO_STORE = { 'cache-control': 'no-store' };
// A page on any site may fetch() an event and RSVP to it; no credentials are involved.
const ANY_ORIGIN = { 'access-control-allow-origin': '*' };
const PREFLIGHT = {
  ...ANY_ORIGIN,
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'content-type',
};

/** A CRM event's RSVP endpoints: no Connect token; an event's id is public. */
@Controller('public/events')
export class PublicEventsController {
  constructor(private readonly events: PublicEventsService) {}

  @Get(':id')
  @RouteHeaders({ ...NO_STORE, ...ANY_ORIGIN })
  get(
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<PublicCrmEvent> {
    return this.events.get(id, request);
  }

  /** JSON (fetch) or an urlencoded HTML form post; rate limited per event and client IP first. */
  @Post(':id/rsvp')
  @FormBody('json-or-form')
  @RouteHeaders({ ...NO_STORE, ...ANY_ORIGIN })
  @RateLimited('event')
  async rsvp(
    @Param('id', UuidParam()) id: string,
    @Body() body: unknown,
    @Headers('accept') accept: string | undefined,
    @CurrentRequest() request: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RsvpResult | string> {
    const answer = await this.events.rsvp(id, body, accept, request);
    void reply.status(answer.statusCode).headers(answer.headers);
    return answer.body;
  }

  /** Cancels the active registration of an address; counted with the event's RSVPs. */
  @Post(':id/rsvp/cancel')
  @FormBody('json-or-form')
  @RouteHeaders({ ...NO_STORE, ...ANY_ORIGIN })
  @RateLimited('event')
  async cancel(
    @Param('id', UuidParam()) id: string,
    @Body() body: unknown,
    @Headers('accept') accept: string | undefined,
    @CurrentRequest() request: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RsvpCancelResult | string> {
    const answer = await this.events.cancel(id, body, accept, request);
    void reply.status(answer.statusCode).headers(answer.headers);
    return answer.body;
  }

  /** The CORS preflights of cross-site JSON posts. */
  @Options(':id')
  @HttpCode(204)
  @RouteHeaders(PREFLIGHT)
  preflight(): void {}

  @Options(':id/rsvp')
  @HttpCode(204)
  @RouteHeaders(PREFLIGHT)
  preflightRsvp(): void {}

  @Options(':id/rsvp/cancel')
  @HttpCode(204)
  @RouteHeaders(PREFLIGHT)
  preflightCancel(): void {}
}
