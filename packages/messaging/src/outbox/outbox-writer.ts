import type { EntityManager } from 'typeorm';
import type { CloudEvent } from '@rocketlead/contracts';

export function outboxChannel(schema: string): string {
  return `${schema}_outbox`;
}

/**
 * Appends events to the service's outbox inside the caller's transaction and wakes the relay on commit.
 * One round trip: the insert and the NOTIFY share a statement.
 */
export async function appendToOutbox(
  manager: EntityManager,
  schema: string,
  events: CloudEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const params: unknown[] = [];
  const rows = events.map((event) => {
    params.push(event.id, event.type, JSON.stringify(event));
    const n = params.length;
    return `($${n - 2}::uuid, $${n - 1}, $${n}::jsonb)`;
  });
  params.push(outboxChannel(schema));
  await manager.query(
    `WITH inserted AS (INSERT INTO "${schema}".outbox (event_id, type, payload) VALUES ${rows.join(', ')} RETURNING 1)
     SELECT pg_notify($${params.length}, '') FROM (SELECT 1) AS once`,
    params,
  );
}
