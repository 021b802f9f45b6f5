import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, ERROR_CODES, MAX_BODY_BYTES } from '@rocketlead/contracts';
import type { JsonLogger } from '@rocketlead/observability';
import { bodyLimitOf } from './form-body.parser';

export interface HttpErrorBody {
  statusCode: number;
  error: string;
  message: string;
  [detail: string]: unknown;
}

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
}

const reason = (status: number): string => STATUS_CODES[status] ?? 'Error';

const MIB = 1024 * 1024;
const inUnits = (bytes: number): string => (bytes % MIB === 0 ? `${bytes / MIB} MiB` : `${bytes / 1024} KiB`);

const bodyTooLarge = (limit: number): HttpErrorBody => ({
  statusCode: 413,
  error: reason(413),
  message: `Request body is larger than ${limit} bytes (${inUnits(limit)})`,
  field: '(body)',
  limit,
});

/** Errors raised by Fastify itself before a route runs (body parsing, content type, size). */
function fromFastify(error: FastifyLikeError, bodyLimit: number): HttpErrorBody | null {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return bodyTooLarge(bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { statusCode: 400, error: reason(400), message: 'Content-Type must be application/json' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return {
        statusCode: 400,
        error: reason(400),
        message: `Malformed JSON body: ${error.message ?? ''}`.trim(),
      };
    case undefined:
    default:
      if (error instanceof SyntaxError)
        return { statusCode: 400, error: reason(400), message: `Malformed JSON body: ${error.message}` };
      if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
        return {
          statusCode: error.statusCode,
          error: reason(error.statusCode),
          message: error.message ?? reason(error.statusCode),
        };
      }
      return null;
  }
}

/**
 * Maps any error to the one HTTP error shape: `{ statusCode, error, message, ...details }`. `bodyLimit` is the
 * body size limit of the route (1 MiB for JSON, less for form routes), named in a 413.
 */
export function toHttpError(exception: unknown, bodyLimit: number = MAX_BODY_BYTES): HttpErrorBody {
  if (exception instanceof DomainError) {
    const status = ERROR_CODES[exception.code];
    return {
      statusCode: status,
      error: reason(status),
      message: exception.message,
      ...(exception.details ?? {}),
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    // Nest wraps the body parser's size refusal in a 413 HttpException; nothing else raises one here.
    if (status === 413) return bodyTooLarge(bodyLimit);
    const response = exception.getResponse();
    const body = typeof response === 'string' ? { message: response } : (response as Record<string, unknown>);
    const details = Object.fromEntries(
      Object.entries(body).filter(([key]) => key !== 'message' && key !== 'statusCode' && key !== 'error'),
    );
    const message = body.message;
    const text = Array.isArray(message)
      ? message.join('; ')
      : typeof message === 'string'
        ? message
        : reason(status);
    return { statusCode: status, error: reason(status), message: text, ...details };
  }
  return (
    fromFastify(exception as FastifyLikeError, bodyLimit) ?? {
      statusCode: 500,
      error: reason(500),
      message: 'Internal server error',
    }
  );
}

@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: JsonLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const body = toHttpError(exception, bodyLimitOf(http.getRequest<FastifyRequest | undefined>()));
    if (body.statusCode >= 500) this.logger.event('error', 'request failed', { error: exception });
    // Routes that answer GIF, XML or HTML set their content type before the handler runs: errors stay JSON.
    void http
      .getResponse<FastifyReply>()
      .status(body.statusCode)
      .type('application/json; charset=utf-8')
      .send(body);
  }
}
