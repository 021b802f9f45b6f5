import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { uuidv7, type Member } from '@rocketlead/contracts';
import { returnedRows, type CursorPosition } from '@rocketlead/persistence';

interface MemberRow {
  id: string;
  name: string;
  email: string;
  active: boolean;
  group_ids: string[];
  created_at: Date;
}

// A member's groups come with it, in the statement that reads (or returns) the member.
const GROUP_IDS = `COALESCE((SELECT array_agg(gm.group_id ORDER BY gm.group_id) FROM leads.member_group_members gm
  WHERE gm.member_id = members.id), '{}') AS group_ids`;

const COLUMNS = `id, name, email, active, ${GROUP_IDS}, created_at`;

function toMember(row: MemberRow): Member {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    active: row.active,
    groupIds: row.group_ids,
    createdAt: row.created_at.toISOString(),
  };
}

/** What makes two emails one member: case and surrounding blanks never do. */
export const emailKey = (email: string): string => email.trim().toLowerCase();

const UNIQUE_VIOLATION = '23505';

/** True when `error` is the unique violation of a member's email in its organization. */
export function isEmailConflict(error: unknown): boolean {
  const e = error as {
    code?: string;
    constraint?: string;
    driverError?: { code?: string; constraint?: string };
  };
  return (
    (e.code ?? e.driverError?.code) === UNIQUE_VIOLATION &&
    (e.constraint ?? e.driverError?.constraint) === 'members_org_email_key'
  );
}

export interface MemberFilter {
  groupId?: string;
  active?: boolean;
}

@Injectable()
export class MembersRepository {
  constructor(private readonly dataSource: DataSource) {}

  private manager(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  /** Whether `id` is an active member of the organization (assignment accepts no other). */
  async findActive(manager: EntityManager | undefined, organizationId: string, id: string): Promise<boolean> {
    const rows = (await this.manager(manager).query(
      // FOR SHARE: a deactivation waits for the assignment that saw the member active.
      'SELECT 1 FROM leads.members WHERE organization_id = $1 AND id = $2 AND active FOR SHARE',
      [organizationId, id],
    )) as unknown[];
    return rows.length > 0;
  }

  async find(organizationId: string, id: string, manager?: EntityManager): Promise<Member | null> {
    const rows = (await this.manager(manager).query(
      `SELECT ${COLUMNS} FROM leads.members WHERE organization_id = $1 AND id = $2`,
      [organizationId, id],
    )) as MemberRow[];
    return rows[0] ? toMember(rows[0]) : null;
  }

  /** Stores a member; an email already used in the organization fails with `isEmailConflict`. */
  async insert(
    manager: EntityManager,
    organizationId: string,
    fields: { name: string; email: string },
  ): Promise<Member> {
    const rows = (await manager.query(
      `INSERT INTO leads.members (id, organization_id, name, email, email_key) VALUES ($1, $2, $3, $4, $5)
       RETURNING ${COLUMNS}`,
      [uuidv7(), organizationId, fields.name, fields.email.trim(), emailKey(fields.email)],
    )) as MemberRow[];
    return toMember(rows[0]!);
  }

  /** Newest first, after `after`; `limit` rows at most. */
  async list(
    organizationId: string,
    filter: MemberFilter,
    limit: number,
    after?: CursorPosition,
  ): Promise<Member[]> {
    const params: unknown[] = [organizationId];
    const where = ['organization_id = $1'];
    if (filter.groupId) {
      params.push(filter.groupId);
      where.push(`EXISTS (SELECT 1 FROM leads.member_group_members gm
        WHERE gm.member_id = members.id AND gm.group_id = $${params.length} AND gm.organization_id = $1)`);
    }
    if (filter.active !== undefined) {
      params.push(filter.active);
      where.push(`active = $${params.length}`);
    }
    if (after) {
      params.push(after.at, after.id);
      where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(limit);
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM leads.members WHERE ${where.join(' AND ')}
       ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    )) as MemberRow[];
    return rows.map(toMember);
  }

  /** Changes the given fields; null when there is no such member. An email in use fails with `isEmailConflict`. */
  async update(
    manager: EntityManager,
    organizationId: string,
    id: string,
    changes: { name?: string; email?: string; active?: boolean },
  ): Promise<Member | null> {
    const email = changes.email?.trim();
    const rows = returnedRows<MemberRow>(
      await manager.query(
        `UPDATE leads.members SET name = COALESCE($3, name), email = COALESCE($4, email),
           email_key = COALESCE($5, email_key), active = COALESCE($6, active), updated_at = now()
         WHERE organization_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
        [
          organizationId,
          id,
          changes.name ?? null,
          email ?? null,
          email !== undefined ? emailKey(email) : null,
          changes.active ?? null,
        ],
      ),
    );
    return rows[0] ? toMember(rows[0]) : null;
  }

  /** Those of `ids` that are members of the organization. */
  async existing(manager: EntityManager, organizationId: string, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = (await manager.query(
      'SELECT id FROM leads.members WHERE organization_id = $1 AND id = ANY($2::uuid[])',
      [organizationId, ids],
    )) as { id: string }[];
    return new Set(rows.map((row) => row.id));
  }

  /** The active members of a group in a stable order (when they joined the organization, then id). */
  async activeInGroup(manager: EntityManager, organizationId: string, groupId: string): Promise<string[]> {
    const rows = (await manager.query(
      `SELECT m.id FROM leads.members m JOIN leads.member_group_members gm ON gm.member_id = m.id
       WHERE gm.organization_id = $1 AND gm.group_id = $2 AND m.organization_id = $1 AND m.active
       ORDER BY m.created_at, m.id FOR SHARE OF m`,
      [organizationId, groupId],
    )) as { id: string }[];
    return rows.map((row) => row.id);
  }
}
