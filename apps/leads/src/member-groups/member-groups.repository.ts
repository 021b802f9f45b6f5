import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { uuidv7, type MemberGroup } from '@rocketlead/contracts';
import { newestFirst, returnedRows, type CursorPosition } from '@rocketlead/persistence';

interface GroupRow {
  id: string;
  name: string;
  member_ids: string[];
  created_at: Date;
}

// A group's members come with it, in the statement that reads the group.
const MEMBER_IDS = `COALESCE((SELECT array_agg(gm.member_id ORDER BY gm.member_id) FROM leads.member_group_members gm
  WHERE gm.group_id = member_groups.id), '{}') AS member_ids`;

const COLUMNS = `id, name, ${MEMBER_IDS}, created_at`;

function toGroup(row: GroupRow): MemberGroup {
  return {
    id: row.id,
    name: row.name,
    memberIds: row.member_ids,
    createdAt: row.created_at.toISOString(),
  };
}

@Injectable()
export class MemberGroupsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(organizationId: string, id: string, manager?: EntityManager): Promise<MemberGroup | null> {
    const rows = (await (manager ?? this.dataSource.manager).query(
      `SELECT ${COLUMNS} FROM leads.member_groups WHERE organization_id = $1 AND id = $2`,
      [organizationId, id],
    )) as GroupRow[];
    return rows[0] ? toGroup(rows[0]) : null;
  }

  /** Locks the group row until commit (its changes and round robin's turn); false when there is none. */
  async lock(manager: EntityManager, organizationId: string, id: string): Promise<boolean> {
    const rows = (await manager.query(
      'SELECT 1 FROM leads.member_groups WHERE organization_id = $1 AND id = $2 FOR UPDATE',
      [organizationId, id],
    )) as unknown[];
    return rows.length > 0;
  }

  /**
   * Round robin's turn of a locked group: the current `next_turn`, advanced by one. Concurrent takers wait
   * for the row lock, so each sees the turn the previous one left.
   */
  async takeTurn(manager: EntityManager, organizationId: string, id: string): Promise<number> {
    const rows = returnedRows<{ turn: string }>(
      await manager.query(
        `UPDATE leads.member_groups SET next_turn = next_turn + 1
         WHERE organization_id = $1 AND id = $2 RETURNING next_turn - 1 AS turn`,
        [organizationId, id],
      ),
    );
    // bigint comes back as text; a turn beyond 2^53 would take millennia of assignments.
    return Number(rows[0]!.turn);
  }

  async insert(manager: EntityManager, organizationId: string, name: string): Promise<string> {
    const id = uuidv7();
    await manager.query('INSERT INTO leads.member_groups (id, organization_id, name) VALUES ($1, $2, $3)', [
      id,
      organizationId,
      name,
    ]);
    return id;
  }

  async rename(manager: EntityManager, organizationId: string, id: string, name: string): Promise<void> {
    await manager.query(
      'UPDATE leads.member_groups SET name = $3, updated_at = now() WHERE organization_id = $1 AND id = $2',
      [organizationId, id, name],
    );
  }

  /** Makes `memberIds` (members of the organization, checked by the caller) the group's members. */
  async replaceMembers(
    manager: EntityManager,
    organizationId: string,
    id: string,
    memberIds: string[],
  ): Promise<void> {
    await manager.query(
      'DELETE FROM leads.member_group_members WHERE organization_id = $1 AND group_id = $2',
      [organizationId, id],
    );
    if (memberIds.length === 0) return;
    await manager.query(
      `INSERT INTO leads.member_group_members (group_id, member_id, organization_id)
       SELECT $2, m, $1 FROM unnest($3::uuid[]) AS m`,
      [organizationId, id, memberIds],
    );
  }

  /** Newest first, after `after`; `limit` rows at most. */
  async list(organizationId: string, limit: number, after?: CursorPosition): Promise<MemberGroup[]> {
    const rows = await newestFirst<GroupRow>(
      this.dataSource,
      'leads.member_groups',
      COLUMNS,
      organizationId,
      limit,
      after,
    );
    return rows.map(toGroup);
  }

  /** Deletes the group and its memberships (the members stay). */
  async delete(manager: EntityManager, organizationId: string, id: string): Promise<void> {
    await manager.query('DELETE FROM leads.member_groups WHERE organization_id = $1 AND id = $2', [
      organizationId,
      id,
    ]);
  }
}
