import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * A hot-path statement sent as a named prepared statement: each connection parses it once, and after a few
 * executions Postgres keeps one generic plan instead of planning every call. Under `bench:automation`,
 * pg_stat_statements put planning at about as much time as execution for the engine's and the lead update's
 * statements (TypeORM's `query` sends every statement unnamed, so it is parsed and planned each time).
 */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

// Statements built per call (composed with outbox rows, say) are named once; a service has a few dozen.
const named = new Map<string, PreparedStatement>();
const MAX_NAMED = 1_000;

/**
 * The name is a digest of the text, so one name never stands for two texts on a connection. Only for texts
 * of a fixed set: each distinct text stays prepared on every connection that ran it.
 */
export function prepared(text: string): PreparedStatement {
  const known = named.get(text);
  if (known) return known;
  const statement = { name: `rl_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`, text };
  if (named.size < MAX_NAMED) named.set(text, statement);
  return statement;
}

/**
 * Runs the statement in `manager`'s transaction when it is a transaction's manager, else on a connection of
 * `dataSource`'s pool; the rows it returned (RETURNING included). Errors are pg's own (`code` on the error).
 */
export async function queryPrepared<T = unknown>(
  dataSource: DataSource,
  manager: EntityManager | undefined,
  statement: PreparedStatement,
  values: unknown[],
): Promise<T[]> {
  const config = { name: statement.name, text: statement.text, values };
  const inTransaction = manager?.queryRunner;
  if (inTransaction) {
    const client = (await inTransaction.connect()) as PoolClient;
    return (await client.query(config)).rows as T[];
  }
  const runner = dataSource.createQueryRunner();
  try {
    const client = (await runner.connect()) as PoolClient;
    return (await client.query(config)).rows as T[];
  } finally {
    await runner.release();
  }
}
