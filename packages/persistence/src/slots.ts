/**
 * A counting semaphore: at most `size` holders at once. `acquire` waits for a free slot in arrival order and
 * `release` hands it straight to the longest waiter. `take` holds a slot at once even when none is free (the
 * count goes below zero); the releases that follow restore the count before a waiter is let in.
 */
export class Slots {
  private free: number;
  private readonly queue: (() => void)[] = [];

  constructor(readonly size: number) {
    this.free = size;
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.queue.length;
  }

  acquire(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push(resolve));
  }

  take(): void {
    this.free -= 1;
  }

  release(): void {
    if (this.free < 0) {
      this.free += 1;
      return;
    }
    const next = this.queue.shift();
    if (next) next();
    else this.free += 1;
  }
}
