// Email addresses as contacts are matched by (forms, RSVPs, Stripe customers, Eventbrite attendees).

/** Loose on purpose: one `@`, a dot in the domain, no spaces or angle brackets. Deliverability is SMTP's call. */
export const EMAIL_ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

export function isEmailAddress(value: string): boolean {
  return EMAIL_ADDRESS.test(value.trim());
}

/** The form two addresses of one contact share: trimmed and lower-cased (as duplicate detection keys it). */
export function normaliseEmail(value: string): string {
  return value.trim().toLowerCase();
}
