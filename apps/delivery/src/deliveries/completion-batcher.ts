/**
 * Group commit for attempt results: records handed in while a write is in flight are written together by
 * the next one, so a burst of finished attempts costs a few transactions instead of one each and a
 * saturated endpoint cannot exhaust the Postgres pool. Each caller learns whether its own record committed.
 */
export class CompletionBatcher<T> {
  private queue: { record: T; done: (error?: Error) => void }[] = [];
  private writing = false;

  constructor(
    private readonly write: (records: T[]) => Promise<void>,
    private readonly maxBatch = 200,
  ) {}

  add(record: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ record, done: (error) => (error ? reject(error) : resolve()) });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          await this.write(batch.map((item) => item.record));
          for (const item of batch) item.done();
        } catch (error) {
          for (const item of batch) item.done(error as Error);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
