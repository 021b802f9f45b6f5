import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';

/** A `Stripe-Signature` header for `payload`, as Stripe computes it (`timestamp` in seconds, default now). */
export function signStripeWebhook(payload: string, secret: string, timestamp?: number): string {
  return Stripe.webhooks.generateTestHeaderString({
    payload,
    secret,
    ...(timestamp !== undefined ? { timestamp } : {}),
  });
}

export interface StripeCheckoutEventOptions {
  /** 'checkout.session.completed' when not given. */
  type?: string;
  eventId?: string;
  sessionId?: string;
  /** 'paid' when not given. */
  paymentStatus?: 'paid' | 'unpaid' | 'no_payment_required';
  email?: string | null;
  name?: string | null;
  phone?: string | null;
  metadata?: Record<string, string>;
  amountTotal?: number | null;
  currency?: string | null;
  /** Seconds since the epoch; now when not given. */
  created?: number;
}

/** A Stripe event as delivered to a webhook endpoint (JSON.stringify it, then sign it). */
export interface StripeEventPayload {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  type: string;
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  data: { object: Record<string, unknown> };
}

function stripeId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

/** A realistic `checkout.session.completed` event (or another checkout.session type) in test mode. */
export function stripeCheckoutEvent(options: StripeCheckoutEventOptions = {}): StripeEventPayload {
  const created = options.created ?? Math.floor(Date.now() / 1000);
  const paymentStatus = options.paymentStatus ?? 'paid';
  const sessionId = options.sessionId ?? `cs_test_${randomBytes(24).toString('hex')}`;
  return {
    id: options.eventId ?? stripeId('evt'),
    object: 'event',
    api_version: Stripe.API_VERSION,
    created,
    type: options.type ?? 'checkout.session.completed',
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: {
      object: {
        id: sessionId,
        object: 'checkout.session',
        amount_subtotal: options.amountTotal === undefined ? 1000 : options.amountTotal,
        amount_total: options.amountTotal === undefined ? 1000 : options.amountTotal,
        client_reference_id: null,
        created,
        currency: options.currency === undefined ? 'usd' : options.currency,
        customer: null,
        customer_creation: 'if_required',
        customer_details: {
          address: null,
          email: options.email === undefined ? 'buyer@example.com' : options.email,
          name: options.name === undefined ? 'Bea Buyer' : options.name,
          phone: options.phone === undefined ? null : options.phone,
          tax_exempt: 'none',
          tax_ids: [],
        },
        customer_email: null,
        expires_at: created + 24 * 3600,
        livemode: false,
        metadata: options.metadata ?? {},
        mode: 'payment',
        payment_intent: paymentStatus === 'no_payment_required' ? null : stripeId('pi'),
        payment_method_types: ['card'],
        payment_status: paymentStatus,
        status: 'complete',
        success_url: 'https://example.com/thanks',
        url: null,
      },
    },
  };
}
