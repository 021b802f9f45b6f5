// Email addresses as contacts are matched by (forms, RSVPs, Stripe customers, Eventbrite attendees).

/** Loose on purpose: one `@`, a dot in the domain, no spaces or angle brackets. Deliverability is SMTP's call. */
export const EMAIL_ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/** The longest address SMTP carries (RFC 5321); longer ones could not be matched by their key either. */
export const EMAIL_MAX_LENGTH = 254;

export function isEmailAddress(value: string): boolean {
  const trimmed = value.trim();
  return trimmed.length <= EMAIL_MAX_LENGTH && EMAIL_ADDRESS.test(trimmed);
}

/** The form two addresses of one contact share: trimmed and lower-cased (as duplicate detection keys it). */
export function normaliseEmail(value: string): string {
  return value.trim().toLowerCase();
}
