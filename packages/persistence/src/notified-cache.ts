import type { Client } from 'pg';
import { listenOn } from './pg-listener';

export interface NotifiedCacheOptions {
  /** Postgres channel on which writers name the key (the payload) whose copies must go; empty: all. */
  channel: string;
  /** A backstop for a notification lost while the listener reconnects: no copy is older than this. */
  maxAgeMs?: number;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
}

interface Cached<T> {
  value: T;
  at: number;
}

/** The statement a writer runs in its transaction so every replica drops its copy of `key` on commit. */
export function notifyChanged(channel: string, key: string): { sql: string; params: string[] } {
  return { sql: 'SELECT pg_notify($1, $2)', params: [channel, key] };
}

/**
 * Rows read on a hot path, kept in memory per process. The writer invalidates its own process at once and
 * NOTIFYs the channel so the others drop their copy when the change commits; copies older than `maxAgeMs`
 * are read again, and nothing is kept while the listener is down. A read that overlapped an invalidation
 * is returned but not kept, so an invalidation is never undone by a read that started before it.
 */
export class NotifiedCache<T> {
  private readonly entries = new Map<string, Cached<T>>();
  // Keys changed by this process whose NOTIFY has not come back yet: not cached until it has.
  private readonly held = new Map<string, number>();
  private generation = 0;
  private listener: Client | undefined;
  private stopped = false;
  private readonly maxAgeMs: number;

  constructor(private readonly options: NotifiedCacheOptions) {
    this.maxAgeMs = options.maxAgeMs ?? 1_000;
  }

  get(key: string, now = Date.now()): T | undefined {
    const cached = this.entries.get(key);
    if (!cached) return undefined;
    if (now - cached.at > this.maxAgeMs) {
      this.entries.delete(key);
      return undefined;
    }
    return cached.value;
  }

  /** Reads through the cache; `null` (not found) is never kept. */
  async read(key: string, load: () => Promise<T | null>): Promise<T | null> {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const generation = this.generation;
    const at = Date.now();
    const value = await load();
    if (value !== null && generation === this.generation && this.listener && !this.isHeld(key, at))
      this.entries.set(key, { value, at });
    return value;
  }

  /**
   * Drops the copy of `key` (all copies without a key). Call it when this process changes the row: until
   * the change's own NOTIFY comes back (it is sent on commit), reads of the key are not kept, so a read
   * of the old row during the change's transaction cannot be cached after it.
   */
  invalidate(key?: string): void {
    this.drop(key);
    if (key !== undefined) this.held.set(key, Date.now());
  }

  /** Drops the copy of `key` without holding it: for changes a stale copy cannot get wrong anyway. */
  forget(key: string): void {
    this.drop(key);
  }

  private drop(key?: string): void {
    this.generation += 1;
    if (key === undefined) {
      this.entries.clear();
      this.held.clear();
    } else {
      this.entries.delete(key);
    }
  }

  /** Held until its NOTIFY arrives, or `maxAgeMs` after the change (it may have rolled back). */
  private isHeld(key: string, now: number): boolean {
    const since = this.held.get(key);
    if (since === undefined) return false;
    if (now - since <= this.maxAgeMs) return true;
    this.held.delete(key);
    return false;
  }

  private notified(key: string | undefined): void {
    this.drop(key);
    if (key !== undefined) this.held.delete(key);
  }

  /** Starts listening for changes made elsewhere; until it listens, nothing is kept. */
  async listen(url: string): Promise<void> {
    if (this.stopped) return;
    const client = await listenOn({
      url,
      channel: this.options.channel,
      applicationName: this.options.applicationName ?? `${this.options.channel}-cache`,
      onNotification: (payload) => this.notified(payload),
      onLost: (_error, lost) => {
        // Notifications may be missed from here on: forget everything and listen again.
        if (this.listener === lost) this.listener = undefined;
        this.drop();
        if (!this.stopped) setTimeout(() => void this.listen(url).catch(() => undefined), 1_000).unref();
      },
    });
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
    this.drop();
    await listener?.end().catch(() => undefined);
  }
}
