import { describe, expect, it } from '@jest/globals';
import { isUuid, validateEvent } from '@rocketlead/contracts';
import type { StepInput } from './action-handler';
import { deliveryRequest, uuidFromKey } from './delivery-request';

describe('delivery requests', () => {
  it('derive a stable UUID from the step key', () => {
    const id = uuidFromKey('run:1');
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('8');
    expect(uuidFromKey('run:1')).toBe(id);
    expect(uuidFromKey('run:2')).not.toBe(id);
  });

  it('are valid events carrying the run, the step and its idempotency key', () => {
    const runId = '0190f5d2-0000-7000-8000-000000000001';
    const input = {
      run: {
        id: runId,
        automationId: '0190f5d2-0000-7000-8000-000000000002',
        entryId: '0190f5d2-0000-7000-8000-000000000003',
        depth: 1,
      },
      step: { index: 2 },
      idempotencyKey: `${runId}:2`,
      actor: {
        organizationId: '0190f5d2-0000-7000-8000-000000000004',
        channel: 'automation',
        apiTokenId: null,
        memberId: null,
        correlationId: 'c',
        traceparent: null,
      },
    } as unknown as StepInput;
    const event = deliveryRequest(input, 'sms', { sms: { to: '+4912345', body: 'hi' } });
    expect(validateEvent(event).ok).toBe(true);
    expect(event).toMatchObject({
      id: uuidFromKey(`delivery:${runId}:2`),
      type: 'automation.delivery.requested',
      channel: 'automation',
      causationid: runId,
      depth: 2,
      data: { idempotencyKey: `${runId}:2`, runId, stepIndex: 2, kind: 'sms', webhook: null, email: null },
    });
  });
});
