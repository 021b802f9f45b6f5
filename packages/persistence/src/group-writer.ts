/**
 * Group commit: items handed in while a write is in flight are written together by the next one, so a
 * burst costs a few statements or transactions instead of one each (and cannot exhaust the Postgres pool).
 * Every caller gets the result of the write that carried its item, or its error.
 */
export class GroupWriter<T, R = void> {
  private queue: { item: T; resolve: (result: R) => void; reject: (error: Error) => void }[] = [];
  private writing = false;

  private readonly maxBatch: number;
  private readonly lingerMs: number;

  /**
   * `maxBatch`: items per write at most (200). `lingerMs`: how long the first item of an idle writer waits for
   * company; 0 (the default) writes at once. Writes nobody waits for (a projection, a record of what was
   * already done) can linger, so a steady trickle costs a statement per window instead of one per item.
   */
  constructor(
    private readonly write: (items: T[]) => Promise<R>,
    options: { maxBatch?: number; lingerMs?: number } = {},
  ) {
    this.maxBatch = options.maxBatch ?? 200;
    this.lingerMs = options.lingerMs ?? 0;
  }

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      if (this.lingerMs > 0) await new Promise((resolve) => setTimeout(resolve, this.lingerMs));
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          const result = await this.write(batch.map((entry) => entry.item));
          for (const entry of batch) entry.resolve(result);
        } catch (error) {
          for (const entry of batch) entry.reject(error as Error);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
