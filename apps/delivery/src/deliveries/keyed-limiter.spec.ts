import { describe, expect, it } from '@jest/globals';
import { KeyedLimiter } from './keyed-limiter';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('KeyedLimiter', () => {
  it('caps tasks per key and lets other keys through while one key is saturated', async () => {
    const limiter = new KeyedLimiter(2);
    const slow = [deferred(), deferred(), deferred()];
    const started: string[] = [];
    slow.forEach((d, i) =>
      limiter.run('slow', `s${i}`, () => {
        started.push(`s${i}`);
        return d.promise;
      }),
    );
    const fast = deferred();
    limiter.run('fast', 'f0', () => {
      started.push('f0');
      fast.resolve();
      return Promise.resolve();
    });
    await fast.promise;
    expect(started).toEqual(['s0', 's1', 'f0']);
    slow[0]!.resolve();
    await slow[0]!.promise;
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['s0', 's1', 'f0', 's2']);
    slow[1]!.resolve();
    slow[2]!.resolve();
    await limiter.idle(Date.now() + 1_000);
    expect(limiter.size).toBe(0);
  });

  it('does not queue the same id twice while it is queued or running', async () => {
    const limiter = new KeyedLimiter(1);
    const gate = deferred();
    expect(limiter.run('k', 'a', () => gate.promise)).toBe(true);
    expect(limiter.run('k', 'a', () => Promise.resolve())).toBe(false);
    gate.resolve();
    await limiter.idle(Date.now() + 1_000);
    expect(limiter.run('k', 'a', () => Promise.resolve())).toBe(true);
  });
});
