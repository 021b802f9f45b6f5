import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * The key used when DELIVERY_SECRET_KEY is not set (development only: it is public, so anyone can read
 * secrets stored with it; production refuses to start without a key).
 */
const DEVELOPMENT_KEY = createHash('sha256').update('rocketlead-delivery-development-key').digest();
const VERSION = 1;

/**
 * Endpoint secrets are needed in clear to sign, so they cannot be hashed: they are stored encrypted with
 * AES-256-GCM (version byte, 12-byte nonce, 16-byte tag, ciphertext). Email link tokens are signed with a
 * key derived from the same master key.
 */
export class SecretBox {
  private readonly key: Buffer;
  readonly trackingKey: Buffer;
  readonly development: boolean;

  constructor(masterKey: Buffer | null) {
    this.development = masterKey === null;
    const master = masterKey ?? DEVELOPMENT_KEY;
    this.key = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'rocketlead endpoint secrets', 32));
    this.trackingKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'rocketlead email links', 32));
  }

  seal(plaintext: string): Buffer {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), nonce, cipher.getAuthTag(), body]);
  }

  open(sealed: Buffer): string {
    if (sealed.length < 29 || sealed[0] !== VERSION) throw new Error('unreadable secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(1, 13));
    decipher.setAuthTag(sealed.subarray(13, 29));
    return Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]).toString('utf8');
  }
}
