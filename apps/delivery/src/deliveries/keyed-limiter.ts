/**
 * At most `perKey` tasks run at once for one key (an endpoint, or a raw URL's origin); the rest wait in that
 * key's own queue, so a slow receiver only ever delays itself. A task already queued or running under the
 * same id is not queued twice.
 */
export class KeyedLimiter {
  private readonly lanes = new Map<string, { active: number; queue: (() => void)[] }>();
  private readonly ids = new Set<string>();

  constructor(private readonly perKey: number) {}

  /** Runs `task` when the key has room; false when that id is already queued or running. */
  run(key: string, id: string, task: (queuedMs: number) => Promise<void>): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    const queuedAt = Date.now();
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { active: 0, queue: [] };
      this.lanes.set(key, lane);
    }
    const start = (): void => {
      lane.active += 1;
      void task(Date.now() - queuedAt).finally(() => {
        this.ids.delete(id);
        lane.active -= 1;
        const next = lane.queue.shift();
        if (next) next();
        else if (lane.active === 0) this.lanes.delete(key);
      });
    };
    if (lane.active < this.perKey) start();
    else lane.queue.push(start);
    return true;
  }

  /** Tasks queued or running, per key and in all. */
  get size(): number {
    return this.ids.size;
  }

  /** Resolves when nothing is running or queued (used on shutdown). */
  async idle(deadline: number): Promise<void> {
    while (this.ids.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }
}
