import type { DeliveryEntity } from './delivery.entity';

/** Time to record an attempt after it ended. */
const LEASE_MARGIN_MS = 30_000;

/** The longest one attempt of each kind can take: webhook timeout at most 30 s, SMTP 3 × 30 s, SMS 15 s. */
const LONGEST_ATTEMPT_MS: Record<DeliveryEntity['kind'], number> = {
  webhook: 30_000,
  email: 90_000,
  sms: 15_000,
};

/** How long a delivery may be in someone's hands before its lease timer tries it again. */
export function leaseMs(row: Pick<DeliveryEntity, 'kind'>): number {
  return LONGEST_ATTEMPT_MS[row.kind] + LEASE_MARGIN_MS;
}

/** An attempt that waited in its lane longer than this pushes its lease ahead before it starts. */
export const LONG_QUEUE_WAIT_MS = LEASE_MARGIN_MS / 2;
