export * from './provider-error';
export * from './stripe/stripe-signature';
export * from './stripe/checkout-session';
export * from './stripe/stripe-api.client';
export * from './eventbrite/eventbrite-webhook';
export * from './eventbrite/eventbrite-api.client';
