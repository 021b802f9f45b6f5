import { describe, expect, it } from '@jest/globals';
import { ConfigError, eventRetentionEnv, loadConfig } from './config';

describe('event retention variables', () => {
  it('default to 24 h, 14 d and 30 d, and read s/m/h/d durations', () => {
    expect(loadConfig(eventRetentionEnv(), {})).toEqual({
      OUTBOX_RETENTION: 24 * 3_600_000,
      INBOX_RETENTION: 14 * 86_400_000,
      DEAD_LETTER_RETENTION: 30 * 86_400_000,
    });
    expect(loadConfig(eventRetentionEnv(), { OUTBOX_RETENTION: '90m' }).OUTBOX_RETENTION).toBe(90 * 60_000);
  });

  it('refuses malformed durations and an inbox retention shorter than the streams keep messages, all at once', () => {
    let error: unknown;
    try {
      loadConfig(eventRetentionEnv(), {
        OUTBOX_RETENTION: '1 week',
        INBOX_RETENTION: '2d',
        DEAD_LETTER_RETENTION: '0d',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^OUTBOX_RETENTION="1 week" is invalid: must be a number with a unit/);
    expect(problems[1]).toMatch(/^INBOX_RETENTION="2d" is invalid: must be at least 7d/);
    expect(problems[2]).toMatch(/^DEAD_LETTER_RETENTION="0d" is invalid: must be a positive duration/);
  });
});
