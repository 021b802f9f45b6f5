import { describe, expect, it } from '@jest/globals';
import { nextRetry } from './retry-policy';

const schedule = [10_000, 60_000, 300_000, 1_800_000, 7_200_000];

describe('nextRetry', () => {
  it('follows the schedule with ±20 % jitter, then stops after the last step', () => {
    expect(nextRetry(schedule, 1, null, () => 0)).toEqual({ retry: true, delayMs: 8_000 });
    expect(nextRetry(schedule, 1, null, () => 1)).toEqual({ retry: true, delayMs: 12_000 });
    expect(nextRetry(schedule, 2, null, () => 0.5)).toEqual({ retry: true, delayMs: 60_000 });
    expect(nextRetry(schedule, 5, null, () => 0.5)).toEqual({ retry: true, delayMs: 7_200_000 });
    expect(nextRetry(schedule, 6, null)).toEqual({ retry: false });
  });

  it('honours Retry-After up to the step maximum', () => {
    expect(nextRetry(schedule, 1, 3_000)).toEqual({ retry: true, delayMs: 3_000 });
    expect(nextRetry(schedule, 1, 3_600_000)).toEqual({ retry: true, delayMs: 12_000 });
    expect(nextRetry(schedule, 6, 1_000)).toEqual({ retry: false });
  });

  it('stays inside the jitter band for any random value', () => {
    for (let i = 0; i < 200; i++) {
      const decision = nextRetry(schedule, 3, null);
      expect(decision.retry).toBe(true);
      if (decision.retry) {
        expect(decision.delayMs).toBeGreaterThanOrEqual(240_000);
        expect(decision.delayMs).toBeLessThanOrEqual(360_000);
      }
    }
  });
});
