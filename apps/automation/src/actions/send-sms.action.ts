import { Injectable } from '@nestjs/common';
import { contextRecord, type ActionHandler, type StepInput, type StepResult } from './action-handler';
import { requestDelivery, type DeliveryPayload } from './delivery-request';
import { recipient } from './send-email.action';
import { TemplateRenderer } from './templates';

/** `send_sms {to?, body}`: `to` defaults to the lead's `phone`. */
@Injectable()
export class SendSmsAction implements ActionHandler {
  readonly type = 'send_sms' as const;

  constructor(private readonly templates: TemplateRenderer) {}

  execute(input: StepInput): Promise<StepResult> {
    return Promise.resolve(requestDelivery(input, 'sms', this.render(input)));
  }

  describe(input: StepInput): Promise<unknown> {
    return Promise.resolve({ kind: 'sms', ...this.render(input) });
  }

  private render(input: StepInput): DeliveryPayload {
    const { params } = input.step;
    const context = contextRecord(input);
    const to = recipient(
      typeof params.to === 'string' ? this.templates.render(params.to, context, 'to') : null,
      input.context.entry?.data.phone,
      'phone',
    );
    return { sms: { to, body: this.templates.render(params.body as string, context, 'body') } };
  }
}
