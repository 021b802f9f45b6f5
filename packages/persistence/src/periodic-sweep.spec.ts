import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { PeriodicSweep } from './periodic-sweep';

describe('PeriodicSweep', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('sweeps every interval, hands a failure to onError and sweeps again, and stops for good', async () => {
    const outcomes: (Error | null)[] = [new Error('database restarting'), null];
    let sweeps = 0;
    const errors: unknown[] = [];
    const sweep = new PeriodicSweep(
      1_000,
      () => {
        sweeps += 1;
        const outcome = outcomes.shift() ?? null;
        return outcome ? Promise.reject(outcome) : Promise.resolve();
      },
      (error) => errors.push(error),
    );
    sweep.start();
    expect(sweeps).toBe(0);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(sweeps).toBe(1);
    expect(errors).toEqual([new Error('database restarting')]);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(sweeps).toBe(2);
    await sweep.stop();
    await jest.advanceTimersByTimeAsync(5_000);
    expect(sweeps).toBe(2);
  });

  it('stop() waits for a sweep in progress', async () => {
    let finish: () => void = () => undefined;
    const sweep = new PeriodicSweep(
      1_000,
      () => new Promise<void>((resolve) => (finish = resolve)),
      () => undefined,
    );
    sweep.start();
    await jest.advanceTimersByTimeAsync(1_000);
    let stopped = false;
    const stopping = sweep.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(stopped).toBe(true);
  });
});
