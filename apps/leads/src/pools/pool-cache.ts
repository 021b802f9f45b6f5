import { Client } from 'pg';
import type { PoolEntity } from './pool.entity';

/** Channel on which a pool change tells the other replicas to drop their copy. */
export const POOLS_CHANGED_CHANNEL = 'leads_pools_changed';

// A backstop for a lost notification (listener reconnecting): no copy is older than this.
const MAX_AGE_MS = 1_000;

interface Cached {
  pool: PoolEntity;
  at: number;
}

/**
 * Pools read on the ingest path, kept in memory. A pool's schema only grows and its keys keep their types,
 * so a stale copy can only miss keys, which sends the request to the locked path that re-reads the pool.
 * The default lead state can change: an update drops the copy in this process at once, NOTIFY drops it
 * in the other replicas, and no copy is kept longer than a second in any case.
 */
export class PoolCache {
  private readonly pools = new Map<string, Cached>();
  private generation = 0;
  private listener: Client | undefined;
  private stopped = false;

  constructor(private readonly maxAgeMs = MAX_AGE_MS) {}

  static key(organizationId: string, id: string): string {
    return `${organizationId}:${id}`;
  }

  get(organizationId: string, id: string, now = Date.now()): PoolEntity | undefined {
    const key = PoolCache.key(organizationId, id);
    const cached = this.pools.get(key);
    if (!cached) return undefined;
    if (now - cached.at > this.maxAgeMs) {
      this.pools.delete(key);
      return undefined;
    }
    return cached.pool;
  }

  /** Reads through the cache; a read that overlapped an invalidation is returned but not kept. */
  async read(
    organizationId: string,
    id: string,
    load: () => Promise<PoolEntity | null>,
  ): Promise<PoolEntity | null> {
    const hit = this.get(organizationId, id);
    if (hit) return hit;
    const generation = this.generation;
    const at = Date.now();
    const pool = await load();
    if (pool && generation === this.generation && this.listener)
      this.pools.set(PoolCache.key(organizationId, id), { pool, at });
    return pool;
  }

  invalidate(key?: string): void {
    this.generation += 1;
    if (key === undefined) this.pools.clear();
    else this.pools.delete(key);
  }

  /** Starts listening for changes made by other replicas; nothing is cached while not listening. */
  async listen(url: string): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: url, application_name: 'leads-pool-cache' });
    client.on('notification', (message) => this.invalidate(message.payload || undefined));
    client.on('error', () => {
      // Missed notifications are possible from here on: forget everything and listen again.
      if (this.listener === client) this.listener = undefined;
      this.invalidate();
      client.end().catch(() => undefined);
      if (!this.stopped) setTimeout(() => void this.listen(url).catch(() => undefined), 1_000).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${POOLS_CHANGED_CHANNEL}`);
    if (this.stopped) {
      await client.end();
      return;
    }
    this.listener = client;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const listener = this.listener;
    this.listener = undefined;
    this.invalidate();
    await listener?.end().catch(() => undefined);
  }
}
