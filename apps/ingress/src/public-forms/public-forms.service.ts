import { Injectable } from '@nestjs/common';
import { COMMANDS, DomainError, type FormSubmitResult, type PublicForm } from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';
import { JsonLogger } from '@rocketlead/observability';
import { toHttpError } from '../http/http-error.filter';
import { publicRequest, type RequestContext } from '../http/request-context';
import { fieldErrorsOf, HTML, prefersHtml, type PublicAnswer } from '../http/html-page';
import { confirmationPage, submissionErrorPage, submittedPage, verificationErrorPage } from './form-pages';
import { isRedirectable } from '../http/redirect-url';

// The longest token FormsVerifyCommand takes; a longer one cannot be a link leads made.
const TOKEN_MAX = 200;

const fieldError = (field: string, message: string): DomainError =>
  new DomainError('VALIDATION_FAILED', 'Validation failed', { errors: [{ field, message }] });

/**
 * A form's public side: its definition, submissions and verification links, with no Connect token. leads
 * checks the form, the values, the honeypot and the token; ingress maps its answers to HTTP.
 */
@Injectable()
export class PublicFormsService {
  constructor(
    private readonly rpc: RpcClient,
    private readonly logger: JsonLogger,
  ) {}

  get(id: string, request: RequestContext): Promise<PublicForm> {
    return this.rpc.request(COMMANDS.formsPublicGet, { id }, { traceparent: request.traceparent });
  }

  /**
   * 201 when the submission was applied, 202 when it waits for the contact's confirmation by email. A browser
   * posting an HTML form without script (it prefers HTML) gets the same status with a short page instead of
   * JSON, refusals included (a 400 page lists the fields to correct).
   */
  async submit(
    formId: string,
    body: unknown,
    accept: string | undefined,
    request: RequestContext,
  ): Promise<PublicAnswer<FormSubmitResult | string>> {
    const html = prefersHtml(accept);
    try {
      if (body === null || typeof body !== 'object' || Array.isArray(body))
        throw fieldError('(body)', 'must be an object of field values (JSON) or a urlencoded form');
      const result = await this.rpc.request(
        COMMANDS.formsSubmit,
        { formId, values: body as Record<string, unknown>, request: publicRequest(request) },
        { traceparent: request.traceparent },
      );
      const statusCode = result.status === 'accepted' ? 201 : 202;
      return html
        ? { statusCode, headers: HTML, body: submittedPage(result.status) }
        : { statusCode, headers: {}, body: result };
    } catch (error) {
      const answer = toHttpError(error);
      if (!html || answer.statusCode >= 500) throw error;
      return {
        statusCode: answer.statusCode,
        headers: HTML,
        body: submissionErrorPage(answer.statusCode, fieldErrorsOf(answer)),
      };
    }
  }

  /**
   * A followed verification link: a redirect to the form's URL or a confirmation page. Refusals are a short
   * page with the same status when the client prefers HTML (a browser), else the usual JSON error.
   */
  async verify(
    token: unknown,
    accept: string | undefined,
    request: RequestContext,
  ): Promise<PublicAnswer<string>> {
    try {
      return await this.confirm(token, request);
    } catch (error) {
      const { statusCode } = toHttpError(error);
      // Server-side failures stay JSON errors, logged by the filter.
      if (statusCode >= 500 || !prefersHtml(accept)) throw error;
      return { statusCode, headers: HTML, body: verificationErrorPage(statusCode) };
    }
  }

  private async confirm(token: unknown, request: RequestContext): Promise<PublicAnswer<string>> {
    if (token === undefined || token === '') throw fieldError('token', 'token is required');
    if (typeof token !== 'string') throw fieldError('token', 'token must be given once');
    if (token.length > TOKEN_MAX) throw new DomainError('NOT_FOUND', 'Verification link not found');
    const { formName, redirectUrl } = await this.rpc.request(
      COMMANDS.formsVerify,
      { token, request: publicRequest(request) },
      { traceparent: request.traceparent },
    );
    if (redirectUrl !== null && isRedirectable(redirectUrl))
      return { statusCode: 302, headers: { location: redirectUrl }, body: '' };
    // The submission is applied by now: a bad URL must not turn that into an error.
    if (redirectUrl !== null)
      this.logger.event('error', 'form redirect URL is not an http(s) URL', { redirectUrl });
    return { statusCode: 200, headers: HTML, body: confirmationPage(formName) };
  }
}
