import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { deriveSecretKey, parseSecretKey, SecretBox } from './secret-box';

const PURPOSE = 'rocketlead endpoint secrets';

describe('SecretBox', () => {
  it('opens what it sealed, with a fresh nonce each time', () => {
    const box = new SecretBox(randomBytes(32), PURPOSE);
    const a = box.seal('whsec_abc');
    const b = box.seal('whsec_abc');
    expect(a.equals(b)).toBe(false);
    expect(box.open(a)).toBe('whsec_abc');
    expect(a.includes(Buffer.from('whsec_abc'))).toBe(false);
  });

  it('refuses a tampered ciphertext, another key and another purpose', () => {
    const key = randomBytes(32);
    const box = new SecretBox(key, PURPOSE);
    const sealed = box.seal('whsec_abc');
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => box.open(tampered)).toThrow();
    expect(() => new SecretBox(randomBytes(32), PURPOSE).open(sealed)).toThrow();
    expect(() => new SecretBox(key, 'rocketlead integration secrets').open(sealed)).toThrow();
    expect(() => box.open(Buffer.alloc(10))).toThrow('unreadable secret');
  });

  it('marks the development key, which opens its own boxes', () => {
    const dev = new SecretBox(null, PURPOSE);
    expect(dev.development).toBe(true);
    expect(dev.open(new SecretBox(null, PURPOSE).seal('x'))).toBe('x');
    expect(new SecretBox(randomBytes(32), PURPOSE).development).toBe(false);
  });

  // Sealed by delivery's SecretBox before it moved here: the derived keys must stay the same.
  it('opens secrets sealed before the move, and derives the same email link keys', () => {
    const key = Buffer.alloc(32, 7);
    expect(
      new SecretBox(key, PURPOSE).open(
        Buffer.from(
          '019b3dfa271a9c9a23d2f9c5beb4ad06430fa01c8b56f2dc82eba47b8baf4611979d0a14535adcd52b',
          'hex',
        ),
      ),
    ).toBe('whsec_compat');
    expect(
      new SecretBox(null, PURPOSE).open(
        Buffer.from('0177736e92762f7be64a106e864eafd468d100477f6e40200af0a81a6cb922da369ad6eb8f67', 'hex'),
      ),
    ).toBe('whsec_dev');
    expect(deriveSecretKey(key, 'rocketlead email links').toString('hex')).toBe(
      'd57e1444a009edcfe2a5725c0e84bd1b75f53ca198e8587c352b8a08faf18e20',
    );
    expect(deriveSecretKey(null, 'rocketlead email links').toString('hex')).toBe(
      '4e9b73293835b96a48da5bbfe52ce50ac35517986ea9d9d84a70f9cdc7b473c9',
    );
  });
});

describe('parseSecretKey', () => {
  it('reads 64 hex characters or base64 of 32 bytes; empty is the development key', () => {
    const key = randomBytes(32);
    expect(parseSecretKey(key.toString('hex'))?.equals(key)).toBe(true);
    expect(parseSecretKey(key.toString('base64'))?.equals(key)).toBe(true);
    expect(parseSecretKey('')).toBeNull();
  });

  it('refuses any other length', () => {
    expect(() => parseSecretKey('abc')).toThrow('must be 32 bytes');
    expect(() => parseSecretKey(randomBytes(16).toString('base64'))).toThrow('must be 32 bytes');
  });
});
