import { Slots } from '@rocketlead/persistence';

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

/**
 * Lets at most `limit` commands execute at once; the others wait in arrival order. A command whose caller
 * stopped waiting before its turn came is not admitted: under overload, a caller that times out retries,
 * and executing the abandoned request too would double the work exactly when there is no capacity for it.
 *
 * A command of a trace that is executing here already is admitted at once: it is part of admitted work (leads
 * books on calendar for a form, calendar reads the entry back from leads), and queueing it behind the slots
 * that very work holds could deadlock.
 */
export class CommandGate {
  private readonly slots: Slots;
  private droppedTotal = 0;
  // Commands executing, per trace id.
  private readonly traces = new Map<string, number>();

  constructor(
    readonly limit: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new Error(`command concurrency must be >= 1, got ${limit}`);
    this.slots = new Slots(limit);
  }

  /** Commands dropped so far because their caller had given up. */
  get dropped(): number {
    return this.droppedTotal;
  }

  /** Commands waiting for their turn. */
  get waiting(): number {
    return this.slots.waiting;
  }

  /**
   * Resolves true when the command may execute (then `release(trace)` once done), false when its caller's
   * deadline passed before its turn.
   */
  async admit(deadline: number, trace?: string): Promise<boolean> {
    if (trace !== undefined && this.traces.has(trace)) {
      this.slots.take();
    } else {
      await this.slots.acquire();
      if (this.now() >= deadline) {
        this.droppedTotal += 1;
        this.slots.release();
        return false;
      }
    }
    if (trace !== undefined) this.traces.set(trace, (this.traces.get(trace) ?? 0) + 1);
    return true;
  }

  release(trace?: string): void {
    if (trace !== undefined) {
      const n = this.traces.get(trace)! - 1;
      if (n === 0) this.traces.delete(trace);
      else this.traces.set(trace, n);
    }
    this.slots.release();
  }
}
