/**
 * A cleanup run every `everyMs` in the background (retention of rows nobody reads again). Its timer never
 * keeps the process alive; a failed sweep goes to `onError` and the next one tries again.
 */
export class PeriodicSweep {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly everyMs: number,
    private readonly sweep: () => Promise<unknown>,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running = this.sweep().then(
        () => undefined,
        (error: unknown) => this.onError(error),
      );
    }, this.everyMs);
    this.timer.unref();
  }

  /** No more sweeps; waits for one in progress, so it does not outlive the database pool. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
