import { s } from '../validation';
import { REGISTRATION_SOURCES, type RegistrationSource } from '../models';

/** A contact bought a linked product through Stripe checkout (Gordon "Product Purchase"); from integrations. */
export const PRODUCT_PURCHASED = 'product.purchased';

export interface ProductPurchasedData {
  purchaseId: string;
  productId: string;
  /** The product's name when bought: the trigger's name. */
  productName: string;
  entryId: string;
  tableId: string;
  /** Stripe's `amount_total` of the session, in the currency's smallest unit. */
  amountTotal: number | null;
  /** ISO currency code in lower case, as Stripe gives it. */
  currency: string | null;
  stripeSessionId: string;
  connectionId: string;
}

export const productPurchasedSchema = s.object({
  purchaseId: s.uuid(),
  productId: s.uuid(),
  productName: s.string({ min: 1, max: 200 }),
  entryId: s.uuid(),
  tableId: s.uuid(),
  amountTotal: s.nullable(s.number({ int: true })),
  currency: s.nullable(s.string({ max: 10 })),
  stripeSessionId: s.string({ min: 1, max: 255 }),
  connectionId: s.uuid(),
});

/**
 * A contact registered for a CRM event, by RSVP or an Eventbrite order (Gordon "Event Registration"); from
 * calendar. Created or re-activated; an already active registration emits nothing.
 */
export const EVENT_REGISTRATION_CREATED = 'event.registration.created';

/** A registration was cancelled (an RSVP cancel by email); the same data as its creation. */
export const EVENT_REGISTRATION_CANCELLED = 'event.registration.cancelled';

export interface EventRegistrationData {
  registrationId: string;
  eventId: string;
  /** The CRM event's name when registered: the trigger's name. */
  eventName: string;
  entryId: string;
  tableId: string;
  source: RegistrationSource;
}

export const eventRegistrationSchema = s.object({
  registrationId: s.uuid(),
  eventId: s.uuid(),
  eventName: s.string({ min: 1, max: 200 }),
  entryId: s.uuid(),
  tableId: s.uuid(),
  source: s.literal(...REGISTRATION_SOURCES),
});
