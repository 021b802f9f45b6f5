import type { DeliveryEntity } from './delivery.entity';

/** Which queue a delivery waits in: its endpoint, its raw URL's origin, or the email or SMS provider. */
export function laneOf(row: DeliveryEntity): string {
  if (row.kind !== 'webhook') return row.kind;
  if (row.endpointId) return `endpoint:${row.endpointId}`;
  try {
    return `origin:${new URL(row.url ?? '').origin}`;
  } catch {
    return 'origin:invalid';
  }
}
