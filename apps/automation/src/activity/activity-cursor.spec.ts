import { describe, expect, it } from '@jest/globals';
import { decodeActivityCursor, encodeActivityCursor } from './activity-cursor';

describe('activity cursor', () => {
  const runId = '0196b3c4-0000-7000-8000-000000000001';

  it('round-trips a position to the microsecond, for item ids and step ids', () => {
    for (const id of [runId, `${runId}:0`, `${runId}:12`]) {
      const position = { at: '2026-05-10T12:00:00.123456Z', id };
      const cursor = encodeActivityCursor(position);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeActivityCursor(cursor)).toEqual(position);
    }
  });

  it('refuses cursors it did not make', () => {
    const made = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const cursor of [
      'not-base64-json',
      made({ at: '2026-05-10T12:00:00Z', id: runId }),
      made(['2026-05-10T12:00:00Z']),
      made(['yesterday', runId]),
      made(['2026-02-30T12:00:00Z', runId]),
      made(['2026-05-10T24:00:00Z', runId]),
      made(['2026-05-10T12:00:00.1234567Z', runId]),
      made(['2026-05-10T12:00:00+02:00', runId]),
      made(['2026-05-10T12:00:00Z', 'not-an-id']),
      made(['2026-05-10T12:00:00Z', `${runId}:x`]),
      made(['2026-05-10T12:00:00Z', `${runId}'; --`]),
    ])
      expect(decodeActivityCursor(cursor)).toBeNull();
  });
});
