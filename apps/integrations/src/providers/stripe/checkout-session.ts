import type Stripe from 'stripe';
import { STRIPE_PRODUCT_METADATA_KEY } from '@rocketlead/contracts';
import { contactEmail, contactName, contactPhone, objectOf } from '../contact-fields';

/** The Stripe events that complete a purchase (async: a delayed payment method succeeded later). */
export const STRIPE_PURCHASE_EVENTS: readonly string[] = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
];

const PAID_STATUSES: readonly string[] = ['paid', 'no_payment_required'];

export interface CheckoutSessionSummary {
  sessionId: string;
  /** payment_status 'paid' or 'no_payment_required'. */
  paid: boolean;
  /** customer_details.email (else customer_email) when it is an email address. */
  email: string | null;
  name: string | null;
  phone: string | null;
  /** metadata.rocketlead_product_id (STRIPE_PRODUCT_METADATA_KEY) when a non-empty string. */
  metadataProductId: string | null;
  /** In the currency's smallest unit. */
  amountTotal: number | null;
  currency: string | null;
}

/** The session of a purchase event; null for any other event type or a malformed object. */
export function readCheckoutSession(event: Stripe.Event): CheckoutSessionSummary | null {
  if (!STRIPE_PURCHASE_EVENTS.includes(event.type)) return null;
  const session = objectOf(objectOf(event.data as unknown)?.object);
  // Stripe always says what the object is; a hand-written event may leave it out, but never name another one.
  if (session === null || (session.object !== undefined && session.object !== 'checkout.session'))
    return null;
  if (typeof session.id !== 'string' || session.id === '') return null;
  const customer = objectOf(session.customer_details);
  const metadataProductId = objectOf(session.metadata)?.[STRIPE_PRODUCT_METADATA_KEY];
  return {
    sessionId: session.id,
    paid: typeof session.payment_status === 'string' && PAID_STATUSES.includes(session.payment_status),
    // customer_email is what the session was created with, when Checkout did not collect details.
    email: contactEmail(customer?.email) ?? contactEmail(session.customer_email),
    name: contactName(customer?.name),
    phone: contactPhone(customer?.phone),
    metadataProductId:
      typeof metadataProductId === 'string' && metadataProductId.trim() !== ''
        ? metadataProductId.trim()
        : null,
    amountTotal:
      typeof session.amount_total === 'number' && Number.isSafeInteger(session.amount_total)
        ? session.amount_total
        : null,
    currency: typeof session.currency === 'string' && session.currency !== '' ? session.currency : null,
  };
}
