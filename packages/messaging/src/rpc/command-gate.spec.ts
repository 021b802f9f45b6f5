import { describe, expect, it } from '@jest/globals';
import { callerTimeoutMs, CommandGate } from './command-gate';

/** Settles what is pending on the microtask queue, so an admission that happened can be seen. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function track(admission: Promise<boolean>): { result: boolean | undefined } {
  const seen: { result: boolean | undefined } = { result: undefined };
  void admission.then((admitted) => (seen.result = admitted));
  return seen;
}

describe('CommandGate', () => {
  it('admits up to its limit at once and the rest in arrival order as slots free', async () => {
    let now = 0;
    const gate = new CommandGate(2, () => now);
    await expect(gate.admit(1_000)).resolves.toBe(true);
    await expect(gate.admit(1_000)).resolves.toBe(true);
    const third = track(gate.admit(1_000));
    const fourth = track(gate.admit(1_000));
    await settle();
    expect([third.result, fourth.result, gate.waiting]).toEqual([undefined, undefined, 2]);

    now = 10;
    gate.release();
    await settle();
    expect([third.result, fourth.result]).toEqual([true, undefined]);
    gate.release();
    await settle();
    expect([fourth.result, gate.waiting, gate.dropped]).toEqual([true, 0, 0]);
  });

  it('drops a waiting command whose deadline passed before its turn, and admits the next one in time', async () => {
    let now = 0;
    const gate = new CommandGate(1, () => now);
    await gate.admit(100);
    const late = track(gate.admit(50));
    const onTime = track(gate.admit(500));
    now = 60;
    gate.release();
    await settle();
    expect([late.result, onTime.result, gate.dropped]).toEqual([false, true, 1]);
  });

  it('admits a command of a trace already executing at once, even when every slot is taken', async () => {
    const gate = new CommandGate(1, () => 0);
    await gate.admit(100, 'trace-a');
    const sameTrace = track(gate.admit(100, 'trace-a'));
    const other = track(gate.admit(100, 'trace-b'));
    await settle();
    expect([sameTrace.result, other.result]).toEqual([true, undefined]);

    // Both of trace-a must finish before trace-b gets the slot back.
    gate.release('trace-a');
    await settle();
    expect(other.result).toBeUndefined();
    gate.release('trace-a');
    await settle();
    expect(other.result).toBe(true);

    // trace-a no longer executes: a new command of it waits like any other.
    const again = track(gate.admit(100, 'trace-a'));
    await settle();
    expect(again.result).toBeUndefined();
  });

  it('refuses a limit below one', () => {
    expect(() => new CommandGate(0)).toThrow('command concurrency must be >= 1, got 0');
  });
});

describe('callerTimeoutMs', () => {
  it('reads the header, capped at five minutes, and falls back for a missing or malformed one', () => {
    expect(callerTimeoutMs('1500', 10_000)).toBe(1_500);
    expect(callerTimeoutMs('99999999', 10_000)).toBe(300_000);
    for (const bad of [undefined, '', '0', '-5', '1.5', 'soon'])
      expect(callerTimeoutMs(bad, 10_000)).toBe(10_000);
  });
});
