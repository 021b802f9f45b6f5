import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { CursorPosition } from '@rocketlead/persistence';

/** Keyset paging, newest first: `limit` rows after the cursor's (time, id), ordered by time then id. */
export function newestFirst<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  column: string,
  limit: number,
  after?: CursorPosition,
): SelectQueryBuilder<T> {
  const alias = query.alias;
  return query
    .andWhere(
      after ? `(${alias}.${column}, ${alias}.id) < (:afterAt, :afterId)` : 'TRUE',
      after ? { afterAt: after.at, afterId: after.id } : {},
    )
    .orderBy(`${alias}.${column}`, 'DESC')
    .addOrderBy(`${alias}.id`, 'DESC')
    .limit(limit);
}
