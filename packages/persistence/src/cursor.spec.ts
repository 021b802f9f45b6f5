import { describe, expect, it } from '@jest/globals';
import { withContext } from '@rocketlead/testing';
import { DomainError } from '@rocketlead/contracts';
import { clientCursor, decodeCursor, encodeCursor, pageOf } from './cursor';

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

describe('pageOf', () => {
  const at = (n: number) => ({
    at: `2026-01-0${n}T00:00:00.000Z`,
    id: `0000000${n}-0000-7000-8000-000000000000`,
  });

  it('keeps `limit` items and points the cursor at the last one when another page exists', () => {
    const page = pageOf([1, 2, 3], 2, at);
    expect(page.items).toEqual([1, 2]);
    expect(decodeCursor(page.nextCursor!)).toEqual(at(2));
  });

  it('has no next cursor on the last page', () => {
    expect(pageOf([1, 2], 2, at)).toEqual({ items: [1, 2], nextCursor: null });
    expect(pageOf([], 2, at)).toEqual({ items: [], nextCursor: null });
  });
});

describe('clientCursor', () => {
  it('decodes a cursor we issued, passes no cursor through and names a foreign one', () => {
    const position = { at: '2030-01-01T10:00:00.000Z', id: '0190a000-0000-7000-8000-000000000001' };
    expect(clientCursor(encodeCursor(position))).toEqual(position);
    expect(clientCursor(undefined)).toBeUndefined();
    let error: unknown;
    try {
      clientCursor('not-ours');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).details).toEqual({
      errors: [{ field: 'cursor', message: 'is not a valid cursor' }],
    });
  });
});
