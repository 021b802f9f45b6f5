import { describe, expect, it } from '@jest/globals';
import { uuidv7 } from './uuid';

describe('uuidv7', () => {
  it('has version 7, the RFC variant, and the timestamp in its first 48 bits', () => {
    const now = Date.UTC(2026, 10, 22, 12, 0, 0, 123);
    const id = uuidv7(now);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(now);
  });

  it('sorts by time and differs within one millisecond', () => {
    const a = uuidv7(1_000);
    const b = uuidv7(2_000);
    expect(a < b).toBe(true);
    expect(uuidv7(1_000)).not.toBe(uuidv7(1_000));
  });
});
