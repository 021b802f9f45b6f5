import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

// The entry columns the contact commands change; the entry itself is read through EntriesRepository.
@Injectable()
export class EntryContactsRepository {
  /** Sets (or clears, with null) the entry's assigned member. */
  async assign(
    manager: EntityManager,
    organizationId: string,
    id: string,
    memberId: string | null,
  ): Promise<void> {
    await manager.query(
      `UPDATE leads.entries SET assigned_member_id = $3, updated_at = now() WHERE organization_id = $1 AND id = $2`,
      [organizationId, id, memberId],
    );
  }

  /** Marks the entry as changed now (its tags changed). */
  async touch(manager: EntityManager, organizationId: string, id: string): Promise<void> {
    await manager.query(
      'UPDATE leads.entries SET updated_at = now() WHERE organization_id = $1 AND id = $2',
      [organizationId, id],
    );
  }
}
