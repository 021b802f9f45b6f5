/** What to do after a failed attempt. */
export type RetryDecision = { retry: true; delayMs: number } | { retry: false };

const JITTER = 0.2;

/**
 * Attempt `attempt` (1 = the first) failed: retry after the schedule's step for it, ±20 % jitter, or stop
 * when the schedule is used up (schedule of 5 steps = 6 attempts in all). A `Retry-After` the receiver asked
 * for is honoured, but never beyond the step's own maximum (step + 20 %).
 */
export function nextRetry(
  schedule: readonly number[],
  attempt: number,
  retryAfterMs: number | null,
  random: () => number = Math.random,
): RetryDecision {
  const step = schedule[attempt - 1];
  if (step === undefined) return { retry: false };
  const max = step * (1 + JITTER);
  if (retryAfterMs !== null && retryAfterMs >= 0)
    return { retry: true, delayMs: Math.min(retryAfterMs, max) };
  const factor = 1 - JITTER + random() * 2 * JITTER;
  return { retry: true, delayMs: Math.round(step * factor) };
}
