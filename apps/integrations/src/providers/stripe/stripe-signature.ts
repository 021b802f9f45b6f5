import Stripe from 'stripe';
import { DomainError } from '@rocketlead/contracts';
import { objectOf } from '../contact-fields';

const NOT_AN_EVENT = 'signs a body that is not a Stripe event';

function refused(message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', 'Validation failed', {
    errors: [{ field: 'Stripe-Signature', message }],
  });
}

// The SDK's messages are written for developers (and long); a sender gets a short reason instead.
function reason(error: unknown): string {
  // A body that passed the check but is not JSON, or a thin (v2) event notification.
  if (error instanceof SyntaxError) return NOT_AN_EVENT;
  const message = error instanceof Error ? error.message : '';
  if (message.startsWith('You passed a thin event')) return NOT_AN_EVENT;
  if (message.startsWith('No webhook secret'))
    return 'cannot be checked: the connection has no webhook secret';
  if (message.startsWith('Timestamp outside the tolerance zone'))
    return `timestamp is older than ${Stripe.webhooks.DEFAULT_TOLERANCE} seconds`;
  if (message.startsWith('Unable to extract timestamp')) return 'is not a Stripe signature header';
  if (message.startsWith('No signatures found with expected scheme')) return 'holds no v1 signature';
  if (message.startsWith('No webhook payload')) return 'signs an empty body';
  return 'does not match the body and the endpoint secret';
}

/**
 * Verifies `Stripe-Signature` over the raw body with the official SDK (`webhooks.constructEvent`, default
 * tolerance 300 s). Missing/bad signature or a body that is not a Stripe event → throws
 * DomainError('VALIDATION_FAILED', 'Validation failed', { errors: [{ field: 'Stripe-Signature', message }] })
 * with a clear reason, never the secret.
 */
export function verifyStripeEvent(
  body: string,
  signature: string | null,
  webhookSecret: string,
): Stripe.Event {
  if (signature === null || signature.trim() === '') throw refused('is missing');
  let event: unknown;
  try {
    event = Stripe.webhooks.constructEvent(body, signature, webhookSecret);
  } catch (error) {
    throw refused(reason(error));
  }
  // A correctly signed body is Stripe's own; still, only a snapshot event object is understood.
  const object = objectOf(event);
  if (
    object === null ||
    object.object !== 'event' ||
    typeof object.id !== 'string' ||
    typeof object.type !== 'string' ||
    objectOf(objectOf(object.data)?.object) === null
  )
    throw refused(NOT_AN_EVENT);
  return event as Stripe.Event;
}
