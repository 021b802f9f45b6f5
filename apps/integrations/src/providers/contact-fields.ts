import { isEmailAddress } from '@rocketlead/contracts';

// Bounds of contacts.resolve (ContactsResolveCommand): provider data is cut to fit rather than refused.
const EMAIL_MAX = 320;
const NAME_MAX = 200;
const PHONE_MAX = 50;

function text(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** A usable email address (trimmed), else null. */
export function contactEmail(value: unknown): string | null {
  const email = text(value);
  return email !== null && email.length <= EMAIL_MAX && isEmailAddress(email) ? email : null;
}

/** A name, cut to what a contact holds. */
export function contactName(value: unknown): string | null {
  return text(value)?.slice(0, NAME_MAX) ?? null;
}

/** A phone number; a longer one is dropped, since a cut number would reach someone else. */
export function contactPhone(value: unknown): string | null {
  const phone = text(value);
  return phone !== null && phone.length <= PHONE_MAX ? phone : null;
}

/** The value when it is a plain object (not an array), else null. */
export function objectOf(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}
