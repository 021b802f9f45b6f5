import type { EntityManager } from 'typeorm';
import { validationFailed } from '@rocketlead/contracts';

/** The lists of an organization that are bounded in size: the table counted, and what its rows are called. */
const LISTS = {
  members: { table: 'leads.members', what: 'members' },
  'member-groups': { table: 'leads.member_groups', what: 'member groups' },
  tags: { table: 'leads.tags', what: 'tags' },
  pipelines: { table: 'leads.pipelines', what: 'pipelines' },
  forms: { table: 'leads.forms', what: 'forms' },
} as const;

export type OrganizationList = keyof typeof LISTS;

/**
 * Refuses to add to one of the organization's lists once it holds `limit` rows (400 naming `field`). It first
 * serializes, until commit, the transactions adding to that list, so the count stays exact: leads has no
 * organization row to lock.
 */
export async function assertRoomInOrganization(
  manager: EntityManager,
  list: OrganizationList,
  organizationId: string,
  limit: number,
  field: string,
): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || $2, 0))`, [
    `leads.${list}`,
    organizationId,
  ]);
  const rows = (await manager.query(
    `SELECT count(*)::int AS n FROM ${LISTS[list].table} WHERE organization_id = $1`,
    [organizationId],
  )) as { n: number }[];
  if ((rows[0]?.n ?? 0) >= limit)
    throw validationFailed([
      { field, message: `an organization has at most ${limit} ${LISTS[list].what}; this one is full` },
    ]);
}
