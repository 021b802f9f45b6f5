import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { twilioSignature, verifyTwilioSignature } from './twilio-signature';

const TOKEN = '12345';
const URL = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const PARAMS = {
  CallSid: 'CA1234567890ABCDE',
  Caller: '+14158675309',
  Digits: '1234',
  From: '+14158675309',
  To: '+18005551212',
};
// The worked example Twilio publishes for its request validation (token 12345, the URL and params above).
const PUBLISHED_SIGNATURE = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';

/** The algorithm written out longhand, independently of the implementation. */
function expected(token: string, url: string, concatenated: string): string {
  return createHmac('sha1', token)
    .update(url + concatenated)
    .digest('base64');
}

describe('twilioSignature', () => {
  it('matches the published example', () => {
    expect(twilioSignature(TOKEN, URL, PARAMS)).toBe(PUBLISHED_SIGNATURE);
  });

  it('concatenates name and value of every parameter in sorted name order after the URL', () => {
    const params = { To: '+14155552671', Body: 'Hi there', From: '+15005550006', AccountSid: 'AC1' };
    const concatenated = 'AccountSidAC1' + 'BodyHi there' + 'From+15005550006' + 'To+14155552671';
    expect(twilioSignature('secret', 'https://x.test/public/sms/inbound', params)).toBe(
      expected('secret', 'https://x.test/public/sms/inbound', concatenated),
    );
  });

  it('signs the URL alone when there are no parameters', () => {
    expect(twilioSignature('secret', 'https://x.test/a', {})).toBe(
      expected('secret', 'https://x.test/a', ''),
    );
  });

  it('sorts by code unit (upper case before lower case), as Twilio does', () => {
    const params = { b: '1', B: '2', a: '3' };
    expect(twilioSignature('t', 'https://x.test/', params)).toBe(expected('t', 'https://x.test/', 'B2a3b1'));
  });

  it('hashes UTF-8', () => {
    const params = { Body: 'Grüße 👋' };
    expect(twilioSignature('t', 'https://x.test/', params)).toBe(
      expected('t', 'https://x.test/', 'BodyGrüße 👋'),
    );
  });
});

describe('verifyTwilioSignature', () => {
  it('accepts the published example', () => {
    expect(verifyTwilioSignature(TOKEN, URL, PARAMS, PUBLISHED_SIGNATURE)).toBe(true);
  });

  it('refuses a changed parameter value, an added or a removed parameter', () => {
    expect(verifyTwilioSignature(TOKEN, URL, { ...PARAMS, Digits: '1235' }, PUBLISHED_SIGNATURE)).toBe(false);
    expect(verifyTwilioSignature(TOKEN, URL, { ...PARAMS, Extra: '' }, PUBLISHED_SIGNATURE)).toBe(false);
    const withoutDigits = Object.fromEntries(Object.entries(PARAMS).filter(([name]) => name !== 'Digits'));
    expect(verifyTwilioSignature(TOKEN, URL, withoutDigits, PUBLISHED_SIGNATURE)).toBe(false);
  });

  it('refuses a value moved to another parameter (names are part of what is signed)', () => {
    // 'Digits' + '1234' + 'From' … and 'Digits' + '' + 'From' … differ only in where the bytes sit.
    const moved = { ...PARAMS, Digits: '', From: '1234' + PARAMS.From };
    expect(verifyTwilioSignature(TOKEN, URL, moved, PUBLISHED_SIGNATURE)).toBe(false);
  });

  it('refuses another URL, another query string and another token', () => {
    expect(
      verifyTwilioSignature(
        TOKEN,
        'https://mycompany.com/myapp.php?foo=1&bar=3',
        PARAMS,
        PUBLISHED_SIGNATURE,
      ),
    ).toBe(false);
    expect(verifyTwilioSignature(TOKEN, 'https://mycompany.com/myapp.php', PARAMS, PUBLISHED_SIGNATURE)).toBe(
      false,
    );
    expect(
      verifyTwilioSignature(TOKEN, 'http://mycompany.com/myapp.php?foo=1&bar=2', PARAMS, PUBLISHED_SIGNATURE),
    ).toBe(false);
    expect(verifyTwilioSignature('12346', URL, PARAMS, PUBLISHED_SIGNATURE)).toBe(false);
  });

  it('accepts the URL with or without the default port, but not another port', () => {
    const signedWithPort = twilioSignature(TOKEN, 'https://mycompany.com:443/myapp.php?foo=1&bar=2', PARAMS);
    expect(verifyTwilioSignature(TOKEN, URL, PARAMS, signedWithPort)).toBe(true);
    expect(
      verifyTwilioSignature(
        TOKEN,
        'https://mycompany.com:443/myapp.php?foo=1&bar=2',
        PARAMS,
        PUBLISHED_SIGNATURE,
      ),
    ).toBe(true);
    expect(
      verifyTwilioSignature(
        TOKEN,
        'https://mycompany.com:8443/myapp.php?foo=1&bar=2',
        PARAMS,
        PUBLISHED_SIGNATURE,
      ),
    ).toBe(false);
    const plain = twilioSignature(TOKEN, 'http://localhost:80/public/sms/status', {});
    expect(verifyTwilioSignature(TOKEN, 'http://localhost/public/sms/status', {}, plain)).toBe(true);
  });

  it('refuses an empty token or signature, and garbage', () => {
    expect(verifyTwilioSignature('', URL, PARAMS, twilioSignature('', URL, PARAMS))).toBe(false);
    expect(verifyTwilioSignature(TOKEN, URL, PARAMS, '')).toBe(false);
    expect(verifyTwilioSignature(TOKEN, URL, PARAMS, 'not a signature')).toBe(false);
    expect(verifyTwilioSignature(TOKEN, URL, PARAMS, PUBLISHED_SIGNATURE.slice(0, -1))).toBe(false);
    expect(verifyTwilioSignature(TOKEN, 'not a url', PARAMS, PUBLISHED_SIGNATURE)).toBe(false);
  });
});
