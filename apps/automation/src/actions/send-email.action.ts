import { Injectable } from '@nestjs/common';
import {
  StepFailure,
  contextRecord,
  type ActionHandler,
  type StepInput,
  type StepResult,
} from './action-handler';
import { requestDelivery, type DeliveryPayload } from './delivery-request';
import { TemplateRenderer } from './templates';

/** `send_email {to?, subject, text?, html?}`: `to` defaults to the lead's `email`. */
@Injectable()
export class SendEmailAction implements ActionHandler {
  readonly type = 'send_email' as const;

  constructor(private readonly templates: TemplateRenderer) {}

  execute(input: StepInput): Promise<StepResult> {
    return Promise.resolve(requestDelivery(input, 'email', this.render(input)));
  }

  describe(input: StepInput): Promise<unknown> {
    return Promise.resolve({ kind: 'email', ...this.render(input) });
  }

  private render(input: StepInput): DeliveryPayload {
    const { params } = input.step;
    const context = contextRecord(input);
    const optional = (field: string): string | null =>
      typeof params[field] === 'string' ? this.templates.render(params[field], context, field) : null;
    const to = recipient(optional('to'), input.context.entry?.data.email, 'email');
    return {
      email: {
        to,
        subject: this.templates.render(params.subject as string, context, 'subject'),
        text: optional('text'),
        html: optional('html'),
      },
    };
  }
}

/** The rendered `to`, else the lead's field; a step without a recipient cannot succeed on retry. */
export function recipient(rendered: string | null, fallback: unknown, field: string): string {
  const to = rendered?.trim() || (typeof fallback === 'string' ? fallback.trim() : '');
  if (!to) throw new StepFailure(`no recipient: params.to is empty and the lead has no data.${field}`);
  return to;
}
