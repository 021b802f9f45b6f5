import type { EntityManager } from 'typeorm';

/**
 * Serializes, until commit, the transactions that add to one organization's list of `kind` (members, member
 * groups, tags), so a count taken under it stays exact. leads has no organization row to lock.
 */
export async function lockOrganizationList(
  manager: EntityManager,
  kind: string,
  organizationId: string,
): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || $2, 0))`, [
    `leads.${kind}`,
    organizationId,
  ]);
}
