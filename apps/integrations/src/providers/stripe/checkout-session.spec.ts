import { describe, expect, it } from '@jest/globals';
import type Stripe from 'stripe';
import { STRIPE_PRODUCT_METADATA_KEY } from '@rocketlead/contracts';
import { stripeCheckoutEvent, type StripeCheckoutEventOptions } from '@rocketlead/testing';
import { readCheckoutSession } from './checkout-session';

function event(options: StripeCheckoutEventOptions = {}): Stripe.Event {
  return JSON.parse(JSON.stringify(stripeCheckoutEvent(options))) as Stripe.Event;
}

describe('readCheckoutSession', () => {
  it('reads a paid checkout.session.completed', () => {
    const summary = readCheckoutSession(
      event({
        sessionId: 'cs_test_1',
        email: '  Bea@Example.com ',
        name: 'Bea Buyer',
        phone: '+15551234567',
        metadata: { [STRIPE_PRODUCT_METADATA_KEY]: 'prod-uuid' },
        amountTotal: 4900,
        currency: 'eur',
      }),
    );
    expect(summary).toEqual({
      sessionId: 'cs_test_1',
      paid: true,
      email: 'Bea@Example.com',
      name: 'Bea Buyer',
      phone: '+15551234567',
      metadataProductId: 'prod-uuid',
      amountTotal: 4900,
      currency: 'eur',
    });
  });

  it('reads checkout.session.async_payment_succeeded and no_payment_required as paid', () => {
    expect(readCheckoutSession(event({ type: 'checkout.session.async_payment_succeeded' }))?.paid).toBe(true);
    expect(
      readCheckoutSession(event({ paymentStatus: 'no_payment_required', amountTotal: 0 })),
    ).toMatchObject({
      paid: true,
      amountTotal: 0,
    });
  });

  it('marks an unpaid session as not paid', () => {
    expect(readCheckoutSession(event({ paymentStatus: 'unpaid' }))?.paid).toBe(false);
  });

  it('gives nulls for missing or unusable customer details and metadata', () => {
    const summary = readCheckoutSession(
      event({
        email: 'not-an-email',
        name: null,
        phone: '1'.repeat(60),
        metadata: {},
        currency: null,
        amountTotal: null,
      }),
    );
    expect(summary).toMatchObject({
      email: null,
      name: null,
      phone: null,
      metadataProductId: null,
      amountTotal: null,
      currency: null,
    });
  });

  it('falls back to customer_email, and reads a session whose object name is left out', () => {
    const bare = event({ email: null });
    const session = bare.data.object as unknown as Record<string, unknown>;
    session.customer_email = 'Given@Example.com';
    delete session.object;
    expect(readCheckoutSession(bare)).toMatchObject({ email: 'Given@Example.com', paid: true });
  });

  it('ignores other event types', () => {
    expect(readCheckoutSession(event({ type: 'checkout.session.expired' }))).toBeNull();
    expect(readCheckoutSession(event({ type: 'payment_intent.succeeded' }))).toBeNull();
  });

  it('returns null for a malformed session object', () => {
    const noObject = event();
    (noObject.data as unknown as { object: unknown }).object = null;
    expect(readCheckoutSession(noObject)).toBeNull();
    const noId = event();
    delete (noId.data.object as unknown as Record<string, unknown>).id;
    expect(readCheckoutSession(noId)).toBeNull();
    const otherObject = event();
    (otherObject.data.object as unknown as Record<string, unknown>).object = 'payment_intent';
    expect(readCheckoutSession(otherObject)).toBeNull();
  });
});
