import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * The master key used when a service's key variable is not set (development only: it is public, so anyone
 * can read secrets stored with it; services refuse to start without a key outside development). Its seed
 * keeps delivery's original name so secrets sealed in development before the move still open.
 */
const DEVELOPMENT_KEY = createHash('sha256').update('rocketlead-delivery-development-key').digest();
const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + NONCE_BYTES + TAG_BYTES;

/**
 * A 32-byte master key given as 64 hex characters or base64 (an environment variable's parser); empty =
 * null, the public development key.
 */
export function parseSecretKey(raw: string): Buffer | null {
  if (raw === '') return null;
  const key = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length !== 32) throw new Error('must be 32 bytes, as 64 hex characters or base64');
  return key;
}

/** A 32-byte key for `purpose` (the HKDF info) derived from the master key (null: the development key). */
export function deriveSecretKey(masterKey: Buffer | null, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey ?? DEVELOPMENT_KEY, Buffer.alloc(0), purpose, 32));
}

/**
 * Secrets a service needs back in clear (to sign, to call a provider) cannot be hashed: they are stored
 * encrypted with AES-256-GCM (version byte, 12-byte nonce, 16-byte tag, ciphertext) under a key derived from
 * the master key for one purpose, so one master key can serve several uses without them sharing a key.
 */
export class SecretBox {
  private readonly key: Buffer;
  /** True when no master key was given: the public development key is in use. */
  readonly development: boolean;

  constructor(masterKey: Buffer | null, purpose: string) {
    this.development = masterKey === null;
    this.key = deriveSecretKey(masterKey, purpose);
  }

  seal(plaintext: string): Buffer {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), nonce, cipher.getAuthTag(), body]);
  }

  /** Throws when the box is not this version's, was tampered with or sealed under another key. */
  open(sealed: Buffer): string {
    if (sealed.length < HEADER_BYTES || sealed[0] !== VERSION) throw new Error('unreadable secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(1, 1 + NONCE_BYTES));
    decipher.setAuthTag(sealed.subarray(1 + NONCE_BYTES, HEADER_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(HEADER_BYTES)), decipher.final()]).toString('utf8');
  }
}
