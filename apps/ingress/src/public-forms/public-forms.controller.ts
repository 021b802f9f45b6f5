import { Body, Controller, Get, Headers, HttpCode, Options, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { FormSubmitResult, PublicForm } from '@rocketlead/contracts';
import { FormBody } from '../http/form-body.parser';
import { CurrentRequest, type RequestContext } from '../http/request-context';
import { RouteHeaders } from '../http/route-headers.hook';
import { UuidParam } from '../http/uuid-param.pipe';
import { RateLimited } from '../public-rate-limit/public-rate-limit.guard';
import { PublicFormsService } from './public-forms.service';

const NO_STORE = { 'cache-control': 'no-store' };
// A page on any site may fetch() a form and post to it; no credentials are involved.
const ANY_ORIGIN = { 'access-control-allow-origin': '*' };

/** The RocketLead form widget's endpoints: no Connect token; a form's id is public. */
@Controller('public/forms')
export class PublicFormsController {
  constructor(private readonly forms: PublicFormsService) {}

  /** The link of a verification email. Declared before `:id` (Fastify prefers the static path anyway). */
  @Get('verify')
  @RouteHeaders(NO_STORE)
  async verify(
    @Query('token') token: unknown,
    @Headers('accept') accept: string | undefined,
    @CurrentRequest() request: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const answer = await this.forms.verify(token, accept, request);
    void reply.status(answer.statusCode).headers(answer.headers);
    return answer.body;
  }

  @Get(':id')
  @RouteHeaders({ ...NO_STORE, ...ANY_ORIGIN })
  get(@Param('id', UuidParam()) id: string, @CurrentRequest() request: RequestContext): Promise<PublicForm> {
    return this.forms.get(id, request);
  }

  /** JSON (fetch) or an urlencoded HTML form post; rate limited per form and client IP first. */
  @Post(':id')
  @FormBody('json-or-form')
  @RouteHeaders({ ...NO_STORE, ...ANY_ORIGIN })
  @RateLimited('form')
  async submit(
    @Param('id', UuidParam()) id: string,
    @Body() body: unknown,
    @Headers('accept') accept: string | undefined,
    @CurrentRequest() request: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<FormSubmitResult | string> {
    const answer = await this.forms.submit(id, body, accept, request);
    void reply.status(answer.statusCode).headers(answer.headers);
    return answer.body;
  }

  /** The CORS preflight of a cross-site JSON post. */
  @Options(':id')
  @HttpCode(204)
  @RouteHeaders({
    ...ANY_ORIGIN,
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': 'content-type',
  })
  preflight(): void {}
}
