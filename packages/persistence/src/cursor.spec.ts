import { describe, expect, it } from '@jest/globals';
import { withContext } from '@rocketlead/testing';
import { decodeCursor, encodeCursor } from './cursor';

describe('paging cursor', () => {
  const position = { at: '2026-05-10T12:00:00.000Z', id: '0196b3c4-0000-7000-8000-000000000001' };

  it('round-trips the position of the last item as an opaque string', () => {
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(position);
  });

  it('refuses cursors it did not make', () => {
    const made = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const cursor of [
      'not-base64-json',
      made({ at: position.at, id: position.id }),
      made(['yesterday', position.id]),
      made([position.at, 'not-a-uuid']),
      made([position.at]),
    ])
      withContext(cursor, () => expect(decodeCursor(cursor)).toBeNull());
  });
});
