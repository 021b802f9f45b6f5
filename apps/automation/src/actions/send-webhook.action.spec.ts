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

const webhookSent = async (params: Record<string, unknown>, event: { type: string; data: unknown }) => {
  const result = await new SendWebhookAction(new TemplateRenderer()).execute(input(params, event));
  const { eventType, formCode } = (result.events![0]!.data as DeliveryRequestData).webhook!;
  return { eventType, formCode };
};

describe('send_webhook eventType and formCode', () => {
  const url = 'https://example.test/hook';
  const milestone = { type: 'table.entry.milestone.reached', data: { milestone: 'qualified' } };

  it("sends the trigger event's legacy code for a form webhook, a milestone's by its milestone, whatever the format", async () => {
    // The format may come from an endpoint the run cannot see: the code goes with every request.
    await expect(webhookSent({ url }, milestone)).resolves.toEqual({
      eventType: 'table.entry.milestone.reached',
      formCode: 'progqualified',
    });
    await expect(webhookSent({ url, format: 'form' }, milestone)).resolves.toEqual({
      eventType: 'table.entry.milestone.reached',
      formCode: 'progqualified',
    });
    await expect(
      webhookSent({ url, format: 'form' }, { type: 'table.entry.duplicate.detected', data: {} }),
    ).resolves.toEqual({ eventType: 'table.entry.duplicate.detected', formCode: 'deliverydupe' });
    await expect(
      webhookSent({ url, format: 'form' }, { type: 'table.entry.tag.applied', data: {} }),
    ).resolves.toEqual({ eventType: 'table.entry.tag.applied', formCode: 'table.entry.tag.applied' });
  });

  it('sends an explicit eventtype as it is, with no code of its own', async () => {
    await expect(
      webhookSent({ url, format: 'form', eventtype: 'deliveryndupe' }, milestone),
    ).resolves.toEqual({
      eventType: 'deliveryndupe',
      formCode: undefined,
    });
  });
});
