import { DomainError } from '@rocketlead/contracts';
import { UnreadableSecretsError } from '../connections/connection-secrets';
import { ProviderError } from '../providers';

/** A product a checkout session bought, for the contact `entryId`: recorded as a purchase once. */
export interface PurchaseDraft {
  productId: string;
  entryId: string;
  stripeSessionId: string;
  stripeEventId: string;
  amountTotal: number | null;
  currency: string | null;
}

/** What processing an inbound webhook came to; a failure worth retrying is thrown instead. */
export type ProcessingOutcome =
  | { status: 'succeeded'; note: string | null; purchases: PurchaseDraft[] }
  | { status: 'ignored'; reason: string }
  | { status: 'failed'; reason: string };

export const ignored = (reason: string): ProcessingOutcome => ({ status: 'ignored', reason });
export const failed = (reason: string): ProcessingOutcome => ({ status: 'failed', reason });

const REASON_MAX = 1000;

// Codes another service answers when it cannot serve now: worth another attempt.
const TRANSIENT_CODES = new Set(['UNAVAILABLE', 'INTERNAL', 'TOO_MANY_REQUESTS']);

function domainReason(error: DomainError): string {
  const errors = (error.details as { errors?: { field?: string; message?: string }[] } | undefined)?.errors;
  const fields = Array.isArray(errors)
    ? errors.map((e) => `${e.field ?? '?'} ${e.message ?? ''}`.trim()).join('; ')
    : '';
  return `${error.code}: ${error.message}${fields ? ` (${fields})` : ''}`;
}

/**
 * Whether a thrown failure is worth another attempt, and the reason to show: provider timeouts, network
 * errors, 429 and 5xx, another service unavailable, or anything unexpected (the database, say) are retried;
 * a refusal (bad key, unknown object, a contact leads rejects) would be answered the same way again.
 */
export function failureOf(error: unknown): { transient: boolean; reason: string } {
  let result: { transient: boolean; reason: string };
  if (error instanceof ProviderError) result = { transient: error.transient, reason: error.message };
  else if (error instanceof DomainError)
    result = { transient: TRANSIENT_CODES.has(error.code), reason: domainReason(error) };
  else if (error instanceof UnreadableSecretsError) result = { transient: false, reason: error.message };
  else result = { transient: true, reason: error instanceof Error ? error.message : String(error) };
  return { ...result, reason: result.reason.slice(0, REASON_MAX) };
}
