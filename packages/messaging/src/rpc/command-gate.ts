/** The request header that tells a command server how long its caller waits for the reply, in milliseconds. */
export const COMMAND_TIMEOUT_HEADER = 'Rl-Timeout-Ms';

/** Longest wait a caller may claim; a larger or malformed header counts as this. */
const MAX_TIMEOUT_MS = 5 * 60 * 1000;

/** How long the caller of a request waits, from its header; `fallbackMs` for a caller that does not say. */
export function callerTimeoutMs(header: string | undefined, fallbackMs: number): number {
  if (!header) return fallbackMs;
  const ms = Number(header);
  return Number.isInteger(ms) && ms > 0 ? Math.min(ms, MAX_TIMEOUT_MS) : fallbackMs;
}

interface Waiting {
  deadline: number;
  trace: string | undefined;
  admit: (admitted: boolean) => void;
}

/**
 * Lets at most `limit` commands execute at once; the others wait in arrival order. A command whose caller
 * stopped waiting before its turn came is not admitted: under overload, a caller that times out retries,
 * and executing the abandoned request too would double the work exactly when there is no capacity for it
 * (measured: a restarted automation's backlog made leads queue commands past its pool's 5 s connect
 * timeout, and runs failed).
 *
 * A command of a trace that is executing here already is admitted at once: it is part of admitted work (leads
 * books on calendar for a form, calendar reads the entry back from leads), and queueing it behind the slots
 * that very work holds could deadlock.
 */
export class CommandGate {
  private running = 0;
  private queue: Waiting[] = [];
  private head = 0;
  private droppedTotal = 0;
  // Commands executing, per trace id.
  private readonly traces = new Map<string, number>();

  constructor(
    readonly limit: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new Error(`command concurrency must be >= 1, got ${limit}`);
  }

  /** Commands dropped so far because their caller had given up. */
  get dropped(): number {
    return this.droppedTotal;
  }

  /** Commands waiting for their turn. */
  get waiting(): number {
    return this.queue.length - this.head;
  }

  /**
   * Resolves true when the command may execute (then `release(trace)` once done), false when its caller's
   * deadline passed before its turn.
   */
  admit(deadline: number, trace?: string): Promise<boolean> {
    if (
      (this.running < this.limit && this.waiting === 0) ||
      (trace !== undefined && this.traces.has(trace))
    ) {
      this.start(trace);
      return Promise.resolve(true);
    }
    return new Promise<boolean>((admit) => this.queue.push({ deadline, trace, admit }));
  }

  release(trace?: string): void {
    this.running -= 1;
    if (trace !== undefined) {
      const n = this.traces.get(trace)! - 1;
      if (n === 0) this.traces.delete(trace);
      else this.traces.set(trace, n);
    }
    while (this.running < this.limit && this.head < this.queue.length) {
      const next = this.queue[this.head]!;
      this.head += 1;
      if (this.now() >= next.deadline) {
        this.droppedTotal += 1;
        next.admit(false);
        continue;
      }
      this.start(next.trace);
      next.admit(true);
    }
    // Compact once the consumed prefix dominates, so the array does not grow for ever.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private start(trace: string | undefined): void {
    this.running += 1;
    if (trace !== undefined) this.traces.set(trace, (this.traces.get(trace) ?? 0) + 1);
  }
}
