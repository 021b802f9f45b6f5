import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  uuidv7,
  type DedupeConfig,
  type LeadPool,
  type Milestone,
  type TableSchema,
} from '@rocketlead/contracts';
import {
  NotifiedCache,
  newestFirst,
  notifyChanged,
  prepared,
  queryPrepared,
  returnedRows,
  type CursorPosition,
} from '@rocketlead/persistence';
import { PoolEntity } from './pool.entity';

export function toLeadPool(row: PoolEntity): LeadPool {
  return {
    id: row.id,
    organizationId: row.organizationId,
    name: row.name,
    defaultLeadStateId: row.defaultLeadStateId,
    tableSchema: row.tableSchema,
    dedupe: row.dedupe ?? null,
    birthdayField: row.birthdayField ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

const COLUMNS =
  'id, organization_id, name, default_lead_state_id, table_schema, dedupe, birthday_field, created_at, updated_at';

// Read with the pool so creating an entry in a state without a milestone costs no extra round trip.
const DEFAULT_MILESTONE = `(SELECT s.milestone FROM leads.lead_states s
  WHERE s.id = pools.default_lead_state_id AND s.organization_id = pools.organization_id) AS default_milestone`;

// Read by every entry update: prepared (see `prepared`).
const FIND_POOL = prepared(
  `SELECT ${COLUMNS}, ${DEFAULT_MILESTONE} FROM leads.pools WHERE organization_id = $1 AND id = $2`,
);

/** A pool as read here: with the milestone of its default lead state (null: none, or no default). */
export type PoolRecord = PoolEntity & { defaultMilestone: Milestone | null };

interface PoolRow {
  id: string;
  organization_id: string;
  name: string;
  default_lead_state_id: string | null;
  table_schema: TableSchema;
  dedupe: DedupeConfig | null;
  birthday_field: string | null;
  default_milestone?: Milestone | null;
  created_at: Date;
  updated_at: Date;
}

/** Channel on which a pool change tells the other replicas to drop their copy. */
export const POOLS_CHANGED_CHANNEL = 'leads_pools_changed';

/** A pool as listed: the pool and where it stands in the newest-first order. */
export interface ListedPool {
  pool: LeadPool;
  position: CursorPosition;
}

const cacheKey = (organizationId: string, id: string): string => `${organizationId}:${id}`;

@Injectable()
export class PoolsRepository implements OnApplicationBootstrap, OnApplicationShutdown {
  /**
   * Pools read on the ingest path. A pool's schema only grows and its keys keep their types, so a stale copy
   * can only miss keys, which sends the request to the locked path that re-reads the pool; the default lead
   * state (and its milestone), the dedupe settings and the birthday field can change, so a change drops the copies (here at once,
   * elsewhere by NOTIFY, 1 s at most).
   */
  private readonly cache = new NotifiedCache<PoolRecord>({
    channel: POOLS_CHANGED_CHANNEL,
    applicationName: 'leads-pool-cache',
  });

  constructor(private readonly dataSource: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    const { url } = this.dataSource.options as { url?: string };
    if (url) await this.cache.listen(url);
  }

  onApplicationShutdown(): Promise<void> {
    return this.cache.stop();
  }

  /**
   * The pool for the ingest path: from memory when fresh (see `cache` for why that is safe). `manager`: the
   * caller's transaction, which a miss reads through. Asking the pool for a second connection
   * while holding one deadlocks once every connection is held that way (a burst of updates).
   */
  findCached(organizationId: string, id: string, manager?: EntityManager): Promise<PoolRecord | null> {
    return this.cache.read(cacheKey(organizationId, id), () => this.find(organizationId, id, manager));
  }

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(PoolEntity);
  }

  async insert(organizationId: string, name: string, manager?: EntityManager): Promise<PoolEntity> {
    const row = this.repo(manager).create({
      id: uuidv7(),
      organizationId,
      name,
      defaultLeadStateId: null,
      tableSchema: {},
      birthdayField: null,
    });
    return this.repo(manager).save(row);
  }

  // Plain SQL: every ingested lead reads its pool.
  async find(organizationId: string, id: string, manager?: EntityManager): Promise<PoolRecord | null> {
    const rows = await queryPrepared<PoolRow>(this.dataSource, manager, FIND_POOL, [organizationId, id]);
    return rows[0] ? this.toEntity(rows[0], manager) : null;
  }

  /** Newest first, after `after`; `limit` rows at most. */
  async list(organizationId: string, limit: number, after?: CursorPosition): Promise<ListedPool[]> {
    const rows = await newestFirst<PoolRow>(
      this.dataSource,
      'leads.pools',
      COLUMNS,
      organizationId,
      limit,
      after,
    );
    return rows.map((row) => ({
      pool: toLeadPool(this.toEntity(row)),
      position: { at: row.created_at.toISOString(), id: row.id },
    }));
  }

  private toEntity(row: PoolRow, manager?: EntityManager): PoolRecord {
    const entity = this.repo(manager).create({
      id: row.id,
      organizationId: row.organization_id,
      name: row.name,
      defaultLeadStateId: row.default_lead_state_id,
      tableSchema: row.table_schema,
      dedupe: row.dedupe,
      birthdayField: row.birthday_field,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    });
    return Object.assign(entity, { defaultMilestone: row.default_milestone ?? null });
  }

  /**
   * Reads the pool under a row lock that serializes schema changes but not entry inserts
   * (FOR NO KEY UPDATE does not conflict with the FOR KEY SHARE lock of the entries' foreign key).
   */
  async lock(manager: EntityManager, organizationId: string, id: string): Promise<PoolRecord | null> {
    const rows = (await manager.query(
      'SELECT id FROM leads.pools WHERE organization_id = $1 AND id = $2 FOR NO KEY UPDATE',
      [organizationId, id],
    )) as unknown[];
    return rows.length ? this.find(organizationId, id, manager) : null;
  }

  async extendSchema(
    manager: EntityManager,
    organizationId: string,
    id: string,
    keys: TableSchema,
  ): Promise<void> {
    await manager.query(
      `UPDATE leads.pools SET table_schema = table_schema || $3::jsonb, updated_at = now()
       WHERE organization_id = $1 AND id = $2`,
      [organizationId, id, JSON.stringify(keys)],
    );
    // A stale copy elsewhere only misses keys (safe); this process sees them on its next read.
    this.cache.forget(cacheKey(organizationId, id));
  }

  // Plain SQL, not save(): TypeORM's change detection calls methods on the stored JSON, and a schema may
  // hold keys such as `hasOwnProperty` that shadow them.
  async update(
    manager: EntityManager,
    pool: PoolEntity,
    changes: {
      name?: string;
      defaultLeadStateId?: string | null;
      tableSchema?: TableSchema;
      dedupe?: DedupeConfig | null;
      birthdayField?: string | null;
    },
  ): Promise<PoolRecord> {
    const rows = returnedRows<PoolRow>(
      await manager.query(
        `UPDATE leads.pools SET name = $3, default_lead_state_id = $4, table_schema = $5::jsonb, dedupe = $6::jsonb,
           birthday_field = $7, updated_at = now()
         WHERE organization_id = $1 AND id = $2 RETURNING ${COLUMNS}, ${DEFAULT_MILESTONE}`,
        [
          pool.organizationId,
          pool.id,
          changes.name ?? pool.name,
          changes.defaultLeadStateId !== undefined ? changes.defaultLeadStateId : pool.defaultLeadStateId,
          JSON.stringify(changes.tableSchema ?? pool.tableSchema),
          // JSON null would be stored as a jsonb 'null', not SQL NULL.
          (changes.dedupe !== undefined ? changes.dedupe : pool.dedupe)
            ? JSON.stringify(changes.dedupe !== undefined ? changes.dedupe : pool.dedupe)
            : null,
          changes.birthdayField !== undefined ? changes.birthdayField : pool.birthdayField,
        ],
      ),
    );
    await this.changed(manager, pool.organizationId, pool.id);
    return this.toEntity(rows[0], manager);
  }

  /** Whether any pool of the organization has a birthdayField (then it needs its daily birthday sweep). */
  async hasBirthdayField(organizationId: string, manager?: EntityManager): Promise<boolean> {
    const rows = (await (manager ?? this.dataSource.manager).query(
      'SELECT 1 FROM leads.pools WHERE organization_id = $1 AND birthday_field IS NOT NULL LIMIT 1',
      [organizationId],
    )) as unknown[];
    return rows.length > 0;
  }

  /**
   * Drops every copy of the pool when `manager`'s transaction commits (other replicas by NOTIFY, this process
   * at once). Also for changes to what is read with it: the milestone of its default lead state.
   */
  async changed(manager: EntityManager, organizationId: string, id: string): Promise<void> {
    const key = cacheKey(organizationId, id);
    const notify = notifyChanged(POOLS_CHANGED_CHANNEL, key);
    await manager.query(notify.sql, notify.params);
    this.cache.invalidate(key);
  }
}
