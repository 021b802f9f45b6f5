import { Injectable } from '@nestjs/common';
import { formEventCode, type WebhookFormat } from '@rocketlead/contracts';
import { contextRecord, type ActionHandler, type StepInput, type StepResult } from './action-handler';
import { requestDelivery, type DeliveryPayload } from './delivery-request';
import { TemplateRenderer } from './templates';

/**
 * `send_webhook {url | endpointId, format?, body?, eventtype?}`: asks delivery to POST the rendered body (by default the
 * lead and what triggered the run) to a URL or a registered endpoint. In `form` format without `eventtype`, the
 * legacy code of the trigger event is sent (`progqualified` for a qualified milestone).
 */
@Injectable()
export class SendWebhookAction implements ActionHandler {
  readonly type = 'send_webhook' as const;

  constructor(private readonly templates: TemplateRenderer) {}

  execute(input: StepInput): Promise<StepResult> {
    return Promise.resolve(requestDelivery(input, 'webhook', this.render(input)));
  }

  describe(input: StepInput): Promise<unknown> {
    return Promise.resolve({ kind: 'webhook', ...this.render(input) });
  }

  private render(input: StepInput): DeliveryPayload {
    const { params } = input.step;
    const context = contextRecord(input);
    const { event, entry, automation } = input.context;
    const body =
      params.body === undefined
        ? {
            automation: { id: automation.id, name: automation.name },
            runId: input.run.id,
            event: { type: event.type, id: event.id, time: event.time },
            entry,
          }
        : this.templates.renderValue(params.body, context, 'body');
    const explicit = params.eventtype as string | undefined;
    return {
      webhook: {
        url: typeof params.url === 'string' ? this.templates.render(params.url, context, 'url') : null,
        endpointId: (params.endpointId as string | undefined) ?? null,
        format: (params.format as WebhookFormat | undefined) ?? 'standard',
        body,
        eventType: explicit ?? event.type,
        // A form webhook (by params or by its endpoint) names the event by its legacy code, which for a
        // milestone depends on the event's data.
        ...(explicit ? {} : { formCode: formEventCode(event.type, event.data) }),
      },
    };
  }
}
