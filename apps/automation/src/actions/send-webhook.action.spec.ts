import { describe, expect, it } from '@jest/globals';
import type { DeliveryRequestData } from '@rocketlead/contracts';
import type { StepInput } from './action-handler';
import { SendWebhookAction } from './send-webhook.action';
import { TemplateRenderer } from './templates';

const input = (params: Record<string, unknown>, event: { type: string; data: unknown }): StepInput =>
  ({
    run: { id: 'r', automationId: 'a', entryId: 'e', depth: 0 },
    step: { index: 0, actionId: 'w', type: 'send_webhook', params },
    context: {
      event: { ...event, id: 'ev', time: new Date().toISOString() },
      entry: null,
      booking: null,
      steps: [],
      automation: { id: 'a', name: 'A', version: 1 },
    },
    idempotencyKey: 'r:0',
    actor: {
      organizationId: '0190f5d2-0000-7000-8000-000000000004',
      channel: 'automation',
      apiTokenId: null,
      memberId: null,
      correlationId: 'c',
      traceparent: null,
    },
  }) as unknown as StepInput;

const eventTypeSent = async (params: Record<string, unknown>, event: { type: string; data: unknown }) => {
  const result = await new SendWebhookAction(new TemplateRenderer()).execute(input(params, event));
  return (result.events![0]!.data as DeliveryRequestData).webhook!.eventType;
};

describe('send_webhook eventType', () => {
  const url = 'https://example.test/hook';
  const milestone = { type: 'table.entry.milestone.reached', data: { milestone: 'qualified' } };

  it("sends a form webhook the legacy code of the trigger event, a milestone's by its milestone", async () => {
    await expect(eventTypeSent({ url, format: 'form' }, milestone)).resolves.toBe('progqualified');
    await expect(
      eventTypeSent({ url, format: 'form' }, { type: 'table.entry.duplicate.detected', data: {} }),
    ).resolves.toBe('deliverydupe');
    await expect(
      eventTypeSent({ url, format: 'form' }, { type: 'table.entry.tag.applied', data: {} }),
    ).resolves.toBe('table.entry.tag.applied');
  });

  it('keeps an explicit eventtype, and the event type in standard format', async () => {
    await expect(eventTypeSent({ url, format: 'form', eventtype: 'deliveryndupe' }, milestone)).resolves.toBe(
      'deliveryndupe',
    );
    await expect(eventTypeSent({ url }, milestone)).resolves.toBe('table.entry.milestone.reached');
  });
});
