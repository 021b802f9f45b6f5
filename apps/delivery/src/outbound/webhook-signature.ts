import { createHmac, randomBytes } from 'node:crypto';

// Standard Webhooks (https://www.standardwebhooks.com): `whsec_` + base64 key, HMAC-SHA256 over
// `id.timestamp.body`, signatures `v1,<base64>` separated by spaces.
const SECRET_PREFIX = 'whsec_';

/** A new signing secret: `whsec_` and 32 random bytes in base64. */
export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  if (key.length === 0) throw new Error('a webhook secret must be whsec_ followed by a base64 key');
  return key;
}

/** The `webhook-signature` value: one `v1,` signature per secret (several while a secret is rotated). */
export function signWebhook(id: string, timestampSeconds: number, body: string, secrets: string[]): string {
  if (!Number.isSafeInteger(timestampSeconds)) throw new Error('the webhook timestamp must be whole seconds');
  const content = `${id}.${timestampSeconds}.${body}`;
  return secrets
    .map((secret) => `v1,${createHmac('sha256', secretKey(secret)).update(content, 'utf8').digest('base64')}`)
    .join(' ');
}

/** The headers of a JSON webhook; without secrets (a raw URL) it goes unsigned. */
export function standardWebhookHeaders(
  id: string,
  timestampSeconds: number,
  body: string,
  secrets: string[],
): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
  };
  if (secrets.length > 0) headers['webhook-signature'] = signWebhook(id, timestampSeconds, body, secrets);
  return headers;
}
