import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig, parsers } from './config';

const SPEC = {
  DATABASE_URL: { parse: parsers.url('postgres'), description: 'db' },
  PORT: { default: '3000', parse: parsers.port, description: 'port' },
  LOG_LEVEL: { default: 'info', parse: parsers.oneOf('info', 'debug'), description: 'level' },
};

describe('loadConfig', () => {
  it('applies defaults and parses values', () => {
    expect(loadConfig(SPEC, { DATABASE_URL: 'postgres://x/db' })).toEqual({
      DATABASE_URL: 'postgres://x/db',
      PORT: 3000,
      LOG_LEVEL: 'info',
    });
  });

  it('reports every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig(SPEC, { PORT: '70000', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems[0]).toContain('DATABASE_URL is required');
    expect(problems[1]).toContain('PORT="70000" is invalid');
    expect(problems[2]).toContain('LOG_LEVEL="loud" is invalid: must be one of info, debug');
  });
});

describe('parsers.retrySchedule', () => {
  it('reads comma-separated durations in milliseconds', () => {
    expect(parsers.retrySchedule('10s, 1m,2h')).toEqual([10_000, 60_000, 7_200_000]);
  });

  it('refuses empty steps, bad durations and more than 20 steps', () => {
    expect(() => parsers.retrySchedule('10s,,1m')).toThrow('comma-separated durations');
    expect(() => parsers.retrySchedule('10x')).toThrow('a number with a unit');
    expect(() => parsers.retrySchedule(Array(21).fill('1s').join(','))).toThrow('1 to 20');
  });
});
