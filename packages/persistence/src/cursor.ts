import { DomainError } from '@rocketlead/contracts';
import type { DataSource } from 'typeorm';

/** Opaque, stable paging cursor: the sort key (an ISO time) and id of the last item of the previous page. */
export interface CursorPosition {
  at: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.at, position.id])).toString('base64url');
}

/** The position, or null when the cursor was not made by `encodeCursor`. */
export function decodeCursor(cursor: string): CursorPosition | null {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(decoded) &&
      typeof decoded[0] === 'string' &&
      !Number.isNaN(Date.parse(decoded[0])) &&
      typeof decoded[1] === 'string' &&
      UUID.test(decoded[1])
    ) {
      return { at: decoded[0], id: decoded[1] };
    }
  } catch {
    // not base64url JSON: invalid
  }
  return null;
}

/** The position of a cursor a client sent (none: the first page); one we did not issue is a 400 naming it. */
export function clientCursor(cursor: string | undefined): CursorPosition | undefined {
  if (cursor === undefined) return undefined;
  const position = decodeCursor(cursor);
  if (!position)
    throw new DomainError('VALIDATION_FAILED', 'Validation failed', {
      errors: [{ field: 'cursor', message: 'is not a valid cursor' }],
    });
  return position;
}

/**
 * A page from `limit + 1` rows read after the cursor: the extra row only tells that another page exists,
 * and the cursor points at the last item kept.
 */
export function pageOf<T>(
  rows: T[],
  limit: number,
  position: (item: T) => CursorPosition,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(position(last)) : null,
  };
}

/**
 * Rows of one organization's objects, newest first after `after`, at most `limit`: the read of every list
 * paged by (created_at, id). `table` and `columns` are the caller's constants, never client input.
 */
export async function newestFirst<R>(
  dataSource: DataSource,
  table: string,
  columns: string,
  organizationId: string,
  limit: number,
  after?: CursorPosition,
): Promise<R[]> {
  const params: unknown[] = [organizationId];
  let where = 'organization_id = $1';
  if (after) {
    params.push(after.at, after.id);
    where += ' AND (created_at, id) < ($2::timestamptz, $3::uuid)';
  }
  params.push(limit);
  return (await dataSource.query(
    `SELECT ${columns} FROM ${table} WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
    params,
  )) as R[];
}
