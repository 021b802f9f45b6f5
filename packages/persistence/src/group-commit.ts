interface Waiter<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/** How items are stored, and what storing one answers (`R`, nothing by default). */
export interface GroupCommitOptions<T, R> {
  /** Stores the group atomically (one statement, or one transaction): all of it or none of it. */
  writeGroup: (items: T[]) => Promise<R[]>;
  /** Stores one item on its own: used alone, and for each item of a group whose write failed. */
  writeOne: (item: T) => Promise<R>;
  /** Called after each write that committed (e.g. to wake the outbox relay). */
  committed?: () => void;
  /** Most items in one group (default 64). */
  maxGroup?: number;
  /** Groups written at the same time (default 2). */
  maxInFlight?: number;
}

/**
 * Group commit with a fallback (entry inserts in leads, the inbox transactions of an event consumer). Items
 * that arrive while earlier groups are being written, or in the same turn of the event loop, are written
 * together: one statement or transaction, one commit, then every caller is answered. Nothing waits on a
 * timer: an item alone at low load is written at once, on its own. When a group's write fails (an
 * idempotency key already taken, a row the database refuses, a handler's error), nothing of it was stored,
 * and each item is written again on its own, so only the item at fault fails.
 */
export class GroupCommit<T, R = void> {
  private queue: Waiter<T, R>[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxGroup: number;
  private readonly maxInFlight: number;

  constructor(private readonly options: GroupCommitOptions<T, R>) {
    this.maxGroup = options.maxGroup ?? 64;
    this.maxInFlight = options.maxInFlight ?? 2;
  }

  /** Resolves once the item is committed; rejects with this item's own error. */
  write(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight) return;
    this.scheduled = true;
    // Items handed in during this turn of the event loop join the same group.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.queue.length > 0 && this.inFlight < this.maxInFlight) {
      const group = this.queue.splice(0, this.maxGroup);
      this.inFlight += 1;
      void this.run(group).finally(() => {
        this.inFlight -= 1;
        if (this.queue.length > 0) this.schedule();
      });
    }
  }

  private async run(group: Waiter<T, R>[]): Promise<void> {
    if (group.length > 1) {
      let results: R[] | undefined;
      try {
        results = await this.options.writeGroup(group.map((waiter) => waiter.item));
      } catch {
        // Fall through: each item on its own, with its own outcome.
      }
      if (results) {
        this.options.committed?.();
        group.forEach((waiter, i) => waiter.resolve(results[i]!));
        return;
      }
    }
    await Promise.all(group.map((waiter) => this.runOne(waiter)));
  }

  private async runOne(waiter: Waiter<T, R>): Promise<void> {
    let result: R;
    try {
      result = await this.options.writeOne(waiter.item);
    } catch (error) {
      waiter.reject(error);
      return;
    }
    this.options.committed?.();
    waiter.resolve(result);
  }
}
