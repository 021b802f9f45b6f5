import { describe, expect, it } from '@jest/globals';
import { parseRetryAfter } from './http-sender';

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-03-07T08:00:00Z');

  it('reads delay seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP date as the time left until it', () => {
    expect(parseRetryAfter('Fri, 07 Mar 2025 08:01:30 GMT', now)).toBe(90_000);
    expect(parseRetryAfter('Fri, 07 Mar 2025 07:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('', now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('1.5', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
    expect(parseRetryAfter('Fri, 99 Foo 2025', now)).toBeNull();
  });
});
