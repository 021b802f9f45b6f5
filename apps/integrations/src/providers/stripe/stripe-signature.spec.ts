import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@rocketlead/contracts';
import { signStripeWebhook, stripeCheckoutEvent } from '@rocketlead/testing';
import { verifyStripeEvent } from './stripe-signature';

const SECRET = 'whsec_test_0123456789abcdef';

function refusal(run: () => unknown): { field: unknown; message: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    const domain = error as DomainError;
    expect(domain.code).toBe('VALIDATION_FAILED');
    const [first] = (domain.details as { errors: { field: unknown; message: string }[] }).errors;
    return first;
  }
  throw new Error('expected a refusal');
}

describe('verifyStripeEvent', () => {
  const body = JSON.stringify(stripeCheckoutEvent());

  it('returns the event of a correctly signed body', () => {
    const event = verifyStripeEvent(body, signStripeWebhook(body, SECRET), SECRET);
    expect(event.type).toBe('checkout.session.completed');
    expect(event.id).toMatch(/^evt_/);
  });

  it('refuses a missing signature', () => {
    expect(refusal(() => verifyStripeEvent(body, null, SECRET))).toEqual({
      field: 'Stripe-Signature',
      message: 'is missing',
    });
    expect(refusal(() => verifyStripeEvent(body, '  ', SECRET)).message).toBe('is missing');
  });

  it('refuses a signature made with another secret, and never names the secret', () => {
    const error = refusal(() => verifyStripeEvent(body, signStripeWebhook(body, 'whsec_other'), SECRET));
    expect(error.field).toBe('Stripe-Signature');
    expect(error.message).toBe('does not match the body and the endpoint secret');
    expect(error.message).not.toContain(SECRET);
  });

  it('refuses a tampered body', () => {
    const signature = signStripeWebhook(body, SECRET);
    const tampered = body.replace('buyer@example.com', 'thief@example.com');
    expect(refusal(() => verifyStripeEvent(tampered, signature, SECRET)).message).toBe(
      'does not match the body and the endpoint secret',
    );
  });

  it('refuses a stale timestamp (older than 300 s)', () => {
    const stale = Math.floor(Date.now() / 1000) - 301;
    expect(
      refusal(() => verifyStripeEvent(body, signStripeWebhook(body, SECRET, stale), SECRET)).message,
    ).toBe('timestamp is older than 300 seconds');
  });

  it('refuses a header that is not a Stripe signature', () => {
    expect(refusal(() => verifyStripeEvent(body, 'garbage', SECRET)).message).toBe(
      'is not a Stripe signature header',
    );
  });

  it('refuses a signed body that is not a Stripe event', () => {
    const notEvent = JSON.stringify({ hello: 'world' });
    expect(
      refusal(() => verifyStripeEvent(notEvent, signStripeWebhook(notEvent, SECRET), SECRET)).message,
    ).toBe('signs a body that is not a Stripe event');
    const notJson = 'not json';
    expect(refusal(() => verifyStripeEvent(notJson, signStripeWebhook(notJson, SECRET), SECRET))).toEqual({
      field: 'Stripe-Signature',
      message: 'signs a body that is not a Stripe event',
    });
  });
});
