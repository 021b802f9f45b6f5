import { describe, expect, it } from '@jest/globals';
import { eventually } from './eventually';

describe('eventually', () => {
  it('returns the first value the probe produces', async () => {
    let calls = 0;
    await expect(eventually(() => (++calls >= 3 ? 'done' : undefined), { intervalMs: 1 })).resolves.toBe(
      'done',
    );
    expect(calls).toBe(3);
  });

  it('fails after the deadline with the last error', async () => {
    await expect(
      eventually(
        () => {
          throw new Error('still down');
        },
        { timeoutMs: 30, intervalMs: 5, message: 'service up' },
      ),
    ).rejects.toThrow('service up within 30 ms: still down');
  });
});
