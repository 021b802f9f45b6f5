import { describe, expect, it } from '@jest/globals';
import {
  generateApiToken,
  generateWebhookToken,
  hashSecret,
  isApiTokenFormat,
  isWebhookTokenFormat,
  secretMatches,
} from './token-secrets';

describe('token secrets', () => {
  it('generates Connect tokens with the rocketlead_ prefix, unique each time', () => {
    const a = generateApiToken();
    const b = generateApiToken();
    expect(a).toMatch(/^rocketlead_/);
    expect(isApiTokenFormat(a)).toBe(true);
    expect(a).not.toBe(b);
  });

  it('generates 64-hex webhook tokens', () => {
    const token = generateWebhookToken();
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(isWebhookTokenFormat(token)).toBe(true);
    expect(isWebhookTokenFormat(token.toUpperCase())).toBe(false);
  });

  it('stores a hash, not the secret, and matches only the same secret', () => {
    const token = generateWebhookToken();
    const stored = hashSecret(token);
    expect(stored.toString('hex')).not.toContain(token);
    expect(secretMatches(token, stored)).toBe(true);
    expect(secretMatches(generateWebhookToken(), stored)).toBe(false);
    expect(secretMatches('', stored)).toBe(false);
  });

  it('rejects malformed tokens by format', () => {
    expect(isApiTokenFormat('rocketlead_short')).toBe(false);
    expect(isApiTokenFormat('Bearer rocketlead_x')).toBe(false);
  });
});
