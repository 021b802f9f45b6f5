import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { ConfigError } from '@rocketlead/observability';
import { loadIntegrationsConfig } from './config';

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadIntegrationsConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('integrations config', () => {
  it('works in development without a key, with the documented defaults', () => {
    const config = loadIntegrationsConfig({});
    expect(config).toMatchObject({
      PORT: 3005,
      NODE_ENV: 'development',
      INTEGRATIONS_ENCRYPTION_KEY: null,
      STRIPE_API_BASE: '',
      EVENTBRITE_API_URL: 'https://www.eventbriteapi.com/v3/',
      INTEGRATIONS_PROVIDER_TIMEOUT_MS: 10_000,
      INTEGRATIONS_RETRY_SCHEDULE: [10_000, 60_000, 300_000, 1_800_000, 7_200_000],
    });
  });

  it('takes the development key under test runs too (a test runner starts everything with NODE_ENV=test)', () => {
    expect(loadIntegrationsConfig({ NODE_ENV: 'test' }).INTEGRATIONS_ENCRYPTION_KEY).toBeNull();
  });

  it('refuses to start outside development and tests without INTEGRATIONS_ENCRYPTION_KEY, saying so', () => {
    for (const NODE_ENV of ['production', 'staging']) {
      const found = problems({ NODE_ENV });
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(/INTEGRATIONS_ENCRYPTION_KEY/);
      expect(found[0]).toMatch(/64 hex characters or base64/);
    }
    expect(() => loadIntegrationsConfig({ NODE_ENV: 'production' })).toThrow(
      /Invalid configuration:\n {2}- NODE_ENV: production requires INTEGRATIONS_ENCRYPTION_KEY/,
    );
  });

  it('reads the key as 64 hex characters or base64 and never shows a bad one', () => {
    const key = randomBytes(32);
    for (const raw of [key.toString('hex'), key.toString('base64')])
      expect(
        loadIntegrationsConfig({
          NODE_ENV: 'production',
          INTEGRATIONS_ENCRYPTION_KEY: raw,
        }).INTEGRATIONS_ENCRYPTION_KEY?.equals(key),
      ).toBe(true);
    const found = problems({ INTEGRATIONS_ENCRYPTION_KEY: 'not-a-key-secret' });
    expect(found).toEqual([expect.stringContaining('must be 32 bytes')]);
    expect(found[0]).not.toContain('not-a-key-secret');
  });

  it('checks the provider addresses and the retry schedule', () => {
    expect(problems({ EVENTBRITE_API_URL: 'ftp://example.com/v3/' })).toEqual([
      expect.stringContaining('must use http or https'),
    ]);
    expect(problems({ STRIPE_API_BASE: 'nope' })).toEqual([expect.stringContaining('must be a URL')]);
    expect(problems({ INTEGRATIONS_RETRY_SCHEDULE: '1s,,2s' })).toEqual([
      expect.stringContaining('comma-separated durations'),
    ]);
    expect(
      loadIntegrationsConfig({ INTEGRATIONS_RETRY_SCHEDULE: '1s,2m' }).INTEGRATIONS_RETRY_SCHEDULE,
    ).toEqual([1_000, 120_000]);
  });
});
