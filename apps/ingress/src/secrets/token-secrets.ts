import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_TOKEN_PREFIX = 'rocketlead_';
const API_TOKEN_PATTERN = /^rocketlead_[A-Za-z0-9_-]{43}$/;
const WEBHOOK_TOKEN_PATTERN = /^[0-9a-f]{64}$/;

/** A Connect API token: the prefix plus 256 random bits. */
export function generateApiToken(): string {
  return `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** An ingress webhook token: 64 lowercase hex characters (256 random bits). */
export function generateWebhookToken(): string {
  return randomBytes(32).toString('hex');
}

export function isApiTokenFormat(value: string): boolean {
  return API_TOKEN_PATTERN.test(value);
}

export function isWebhookTokenFormat(value: string): boolean {
  return WEBHOOK_TOKEN_PATTERN.test(value);
}

/** Tokens carry 256 bits of entropy, so a plain SHA-256 is a safe one-way store. */
export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Constant-time comparison of a presented secret against a stored hash. */
export function secretMatches(presented: string, storedHash: Buffer): boolean {
  const candidate = hashSecret(presented);
  return candidate.length === storedHash.length && timingSafeEqual(candidate, storedHash);
}
