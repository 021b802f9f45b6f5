import { describe, expect, it } from '@jest/globals';
import { withContext } from './with-context';

describe('withContext', () => {
  it('passes when the assertion passes', () => {
    expect(() => withContext('case 1', () => expect(1).toBe(1))).not.toThrow();
  });

  it('puts the context in front of a failed assertion message, keeping the original', () => {
    let caught: unknown;
    try {
      withContext('GET /things', () => expect(500).toBe(200));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(Error);
    const { message, stack } = caught as Error;
    expect(message.startsWith('GET /things\n\n')).toBe(true);
    expect(message).toContain('Expected: 200');
    expect(stack).toContain('GET /things');
  });

  it('rethrows unchanged without a context', () => {
    expect(() =>
      withContext(undefined, () => {
        throw new Error('plain');
      }),
    ).toThrow(/^plain$/);
  });
});
