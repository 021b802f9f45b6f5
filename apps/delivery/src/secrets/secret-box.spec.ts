import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  it('opens what it sealed, with a fresh nonce each time', () => {
    const box = new SecretBox(randomBytes(32));
    const a = box.seal('whsec_abc');
    const b = box.seal('whsec_abc');
    expect(a.equals(b)).toBe(false);
    expect(box.open(a)).toBe('whsec_abc');
    expect(a.includes(Buffer.from('whsec_abc'))).toBe(false);
  });

  it('refuses a tampered ciphertext and another key', () => {
    const box = new SecretBox(randomBytes(32));
    const sealed = box.seal('whsec_abc');
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => box.open(tampered)).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow();
  });

  it('derives different keys for secrets and email links, and marks the development key', () => {
    const dev = new SecretBox(null);
    expect(dev.development).toBe(true);
    expect(dev.open(new SecretBox(null).seal('x'))).toBe('x');
    expect(new SecretBox(randomBytes(32)).development).toBe(false);
    expect(dev.trackingKey.length).toBe(32);
  });
});
