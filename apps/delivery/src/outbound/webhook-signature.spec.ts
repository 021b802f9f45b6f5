import { describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret, signWebhook, standardWebhookHeaders } from './webhook-signature';

const now = (): number => Math.floor(Date.now() / 1000);

describe('webhook signing', () => {
  it('generates whsec_ secrets of 32 random bytes', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
  });

  it('signs as the standardwebhooks library does', () => {
    const secret = generateWebhookSecret();
    const body = '{"type":"table.entry.added","data":{"name":"Zoë"}}';
    const timestamp = now();
    expect(signWebhook('msg_1', timestamp, body, [secret])).toBe(
      new Webhook(secret).sign('msg_1', new Date(timestamp * 1000), body),
    );
  });

  it('produces headers the library verifies', () => {
    const secret = generateWebhookSecret();
    const body = JSON.stringify({ type: 'table.entry.added', data: { id: 'e1', note: 'ü € 😀' } });
    const headers = standardWebhookHeaders('delivery-1', now(), body, [secret]);
    expect(headers['content-type']).toBe('application/json');
    expect(headers['webhook-id']).toBe('delivery-1');
    expect(headers['webhook-timestamp']).toMatch(/^\d+$/);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('signs with every secret during a rotation, each verifying on its own', () => {
    const [previous, current] = [generateWebhookSecret(), generateWebhookSecret()];
    const body = '{"n":1}';
    const headers = standardWebhookHeaders('delivery-2', now(), body, [current, previous]);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(new Webhook(current).verify(body, headers)).toEqual({ n: 1 });
    expect(new Webhook(previous).verify(body, headers)).toEqual({ n: 1 });
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow();
  });

  it('fails verification when the body or the timestamp changed', () => {
    const secret = generateWebhookSecret();
    const timestamp = now();
    const headers = standardWebhookHeaders('delivery-3', timestamp, '{"n":1}', [secret]);
    expect(() => new Webhook(secret).verify('{"n":2}', headers)).toThrow();
    expect(() =>
      new Webhook(secret).verify('{"n":1}', { ...headers, 'webhook-timestamp': String(timestamp + 1) }),
    ).toThrow();
  });

  it('sends a raw URL unsigned', () => {
    expect(standardWebhookHeaders('delivery-4', 1700000000, '{}', [])).toEqual({
      'content-type': 'application/json',
      'webhook-id': 'delivery-4',
      'webhook-timestamp': '1700000000',
    });
  });

  it('refuses a fractional timestamp and an empty key', () => {
    expect(() => signWebhook('d', 1.5, '{}', [generateWebhookSecret()])).toThrow('whole seconds');
    expect(() => signWebhook('d', 1, '{}', ['whsec_'])).toThrow('base64 key');
  });
});
