import { describe, expect, it } from '@jest/globals';
import { activityTypeFilter } from './activity-filter';

describe('activity type filter', () => {
  it('splits exact types from `.*` prefixes, without repeats', () => {
    expect(
      activityTypeFilter(['table.entry.added', 'calendar.appointment.*', 'send_email', 'table.entry.added']),
    ).toEqual({ exact: ['table.entry.added', 'send_email'], prefixes: ['calendar.appointment.'] });
  });

  it('filters nothing when no type is given, or `*` is', () => {
    expect(activityTypeFilter(undefined)).toBeNull();
    expect(activityTypeFilter([])).toBeNull();
    expect(activityTypeFilter(['table.entry.added', '*'])).toBeNull();
  });

  it('keeps a `*` that is not a `.*` suffix exact (it matches no type)', () => {
    expect(activityTypeFilter(['calendar*'])).toEqual({ exact: ['calendar*'], prefixes: [] });
  });
});
