import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { instrumentEmail, MAX_TOKEN_LENGTH, TrackingTokens } from './email-tracking';

const KEY = Buffer.alloc(32, 7);
const tokens = new TrackingTokens(KEY);
const DELIVERY = '0b9c6a1e-5d7f-4c3a-9f60-2d1e8b7a4c11';
const BASE = 'http://localhost:3000';

/** A token with any payload, signed correctly with KEY. */
function forge(payload: unknown, key = KEY): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const mac = createHmac('sha256', key).update(body).digest().subarray(0, 16).toString('base64url');
  return `${body}.${mac}`;
}

function tokenOf(url: string, route: 'o' | 'c' | 'u'): string {
  const prefix = `${BASE}/public/e/${route}/`;
  expect(url.startsWith(prefix)).toBe(true);
  return url.slice(prefix.length);
}

function hrefs(html: string): string[] {
  return [...html.matchAll(/href="([^"]*)"/g)].map((match) => match[1].replace(/&amp;/g, '&'));
}

describe('TrackingTokens', () => {
  it('round-trips every kind, URL-safe', () => {
    for (const kind of ['open', 'unsubscribe'] as const) {
      const token = tokens.sign({ kind, deliveryId: DELIVERY });
      expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
      expect(tokens.verify(token, kind)).toEqual({ kind, deliveryId: DELIVERY });
    }
    const click = tokens.sign({
      kind: 'click',
      deliveryId: DELIVERY,
      url: 'https://example.com/a?b=c&d=é#top',
    });
    expect(click).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(tokens.verify(click, 'click')).toEqual({
      kind: 'click',
      deliveryId: DELIVERY,
      url: 'https://example.com/a?b=c&d=é#top',
    });
  });

  it('is deterministic and carries the url only for clicks', () => {
    expect(tokens.sign({ kind: 'open', deliveryId: DELIVERY })).toBe(
      tokens.sign({ kind: 'open', deliveryId: DELIVERY }),
    );
    const open = tokens.sign({ kind: 'open', deliveryId: DELIVERY, url: 'https://example.com/' });
    expect(tokens.verify(open, 'open')).toEqual({ kind: 'open', deliveryId: DELIVERY });
  });

  it('refuses a token of another kind', () => {
    const open = tokens.sign({ kind: 'open', deliveryId: DELIVERY });
    expect(tokens.verify(open, 'unsubscribe')).toBeNull();
    expect(tokens.verify(open, 'click')).toBeNull();
    const click = tokens.sign({ kind: 'click', deliveryId: DELIVERY, url: 'https://example.com/' });
    expect(tokens.verify(click, 'open')).toBeNull();
  });

  it('refuses a token signed with another key', () => {
    const other = new TrackingTokens(randomBytes(32));
    expect(tokens.verify(other.sign({ kind: 'open', deliveryId: DELIVERY }), 'open')).toBeNull();
  });

  it('refuses a changed payload or signature', () => {
    const token = tokens.sign({ kind: 'click', deliveryId: DELIVERY, url: 'https://example.com/' });
    const [body, mac] = token.split('.');
    const evil = Buffer.from(JSON.stringify({ k: 'c', d: DELIVERY, u: 'https://evil.test/' })).toString(
      'base64url',
    );
    expect(tokens.verify(`${evil}.${mac}`, 'click')).toBeNull();
    const flipped = (mac[0] === 'A' ? 'B' : 'A') + mac.slice(1);
    expect(tokens.verify(`${body}.${flipped}`, 'click')).toBeNull();
    // Same leading bits, different last character: padding bits must not be ignored.
    const lastBitsChanged = mac.slice(0, -1) + (mac.endsWith('A') ? 'B' : 'A');
    expect(tokens.verify(`${body}.${lastBitsChanged}`, 'click')).toBeNull();
    expect(tokens.verify(`${body}.${mac.slice(0, -2)}`, 'click')).toBeNull();
    expect(tokens.verify(`${body}.${mac}AA`, 'click')).toBeNull();
  });

  it('refuses malformed tokens', () => {
    const token = tokens.sign({ kind: 'open', deliveryId: DELIVERY });
    for (const bad of [
      '',
      '.',
      'abc',
      `${token}.x`,
      `.${token.split('.')[1]}`,
      `${token.split('.')[0]}.`,
      token.replace('.', '+'),
    ])
      expect(tokens.verify(bad, 'open')).toBeNull();
    expect(tokens.verify(`${token} `, 'open')).toBeNull();
    expect(tokens.verify(`a=${token}`, 'open')).toBeNull();
  });

  it('refuses correctly signed payloads of the wrong shape', () => {
    expect(tokens.verify(forge({ k: 'o', d: DELIVERY }), 'open')).toEqual({
      kind: 'open',
      deliveryId: DELIVERY,
    });
    expect(tokens.verify(forge({ k: 'o', d: '' }), 'open')).toBeNull();
    expect(tokens.verify(forge({ k: 'o', d: 42 }), 'open')).toBeNull();
    expect(tokens.verify(forge({ k: 'open', d: DELIVERY }), 'open')).toBeNull();
    expect(tokens.verify(forge(['o', DELIVERY]), 'open')).toBeNull();
    expect(tokens.verify(forge(null), 'open')).toBeNull();
    expect(tokens.verify(forge({ k: 'c', d: DELIVERY }), 'click')).toBeNull();
    expect(tokens.verify(forge({ k: 'c', d: DELIVERY, u: 'javascript:alert(1)' }), 'click')).toBeNull();
    expect(tokens.verify(forge({ k: 'c', d: DELIVERY, u: '//evil.test/' }), 'click')).toBeNull();
    const notJson = Buffer.from('{k:').toString('base64url');
    const mac = createHmac('sha256', KEY).update(notJson).digest().subarray(0, 16).toString('base64url');
    expect(tokens.verify(`${notJson}.${mac}`, 'open')).toBeNull();
  });

  it('refuses tokens longer than 4096 characters unread, even when correctly signed', () => {
    const url = `https://example.com/${'x'.repeat(3200)}`;
    const token = tokens.sign({ kind: 'click', deliveryId: DELIVERY, url });
    expect(token.length).toBeGreaterThan(MAX_TOKEN_LENGTH);
    expect(tokens.verify(token, 'click')).toBeNull();
    const fits = tokens.sign({
      kind: 'click',
      deliveryId: DELIVERY,
      url: `https://example.com/${'x'.repeat(2900)}`,
    });
    expect(fits.length).toBeLessThanOrEqual(MAX_TOKEN_LENGTH);
    expect(tokens.verify(fits, 'click')).not.toBeNull();
  });

  it('refuses to sign a click without an absolute http(s) URL, and a key that is not 32 bytes', () => {
    expect(() => tokens.sign({ kind: 'click', deliveryId: DELIVERY })).toThrow(TypeError);
    expect(() => tokens.sign({ kind: 'click', deliveryId: DELIVERY, url: 'mailto:a@b.test' })).toThrow(
      TypeError,
    );
    expect(() => tokens.sign({ kind: 'open', deliveryId: '' })).toThrow(TypeError);
    expect(() => new TrackingTokens(Buffer.alloc(16))).toThrow(RangeError);
  });
});

describe('instrumentEmail', () => {
  const instrument = (html: string | null, text: string | null = null, baseUrl = BASE) =>
    instrumentEmail({ html, text, deliveryId: DELIVERY, baseUrl, tokens });

  it('routes every absolute http(s) link through a signed click redirect', () => {
    const html =
      '<html><body><p><a href="https://example.com/pricing?plan=pro&amp;ref=mail">Pricing</a> and ' +
      "<a class='btn' href='http://example.org/x'>X</a> and " +
      '<A title="a > b" HREF = "https://example.net/" target="_blank">Net</A></p></body></html>';
    const result = instrument(html);
    const links = hrefs(result.html!);
    // Three rewritten links plus the unsubscribe link.
    expect(links).toHaveLength(4);
    const targets = links.slice(0, 3).map((href) => tokens.verify(tokenOf(href, 'c'), 'click')?.url);
    expect(targets).toEqual([
      'https://example.com/pricing?plan=pro&ref=mail',
      'http://example.org/x',
      'https://example.net/',
    ]);
    // Everything but the href stays as written.
    expect(result.html).toContain("<a class='btn' href=\"http://localhost:3000/public/e/c/");
    expect(result.html).toMatch(/<A title="a > b" href="[^"]+" target="_blank">Net<\/A>/);
    expect(result.html).toContain('>Pricing</a> and ');
  });

  it('leaves mailto:, tel:, anchors, relative and protocol-relative links and anchors without href alone', () => {
    const html =
      '<a href="mailto:sales@example.com">Mail</a><a href="tel:+14155552671">Call</a><a href="#top">Top</a>' +
      '<a href="/pricing">Rel</a><a href="pricing.html">Rel2</a><a href="//example.com/x">Proto</a>' +
      '<a name="here">Here</a><a href>Empty</a><abbr title="https://example.com/">Abbr</abbr>' +
      '<a data-href="https://example.com/">Data</a><a title="href=https://example.com/">Title</a>';
    const result = instrument(html);
    expect(result.html!.startsWith(html)).toBe(true);
  });

  it('rewrites unquoted hrefs and hrefs with surrounding whitespace', () => {
    const result = instrument('<a href=https://example.com/a>A</a><a href="  https://example.com/b\n">B</a>');
    const links = hrefs(result.html!).slice(0, 2);
    expect(links.map((href) => tokens.verify(tokenOf(href, 'c'), 'click')?.url)).toEqual([
      'https://example.com/a',
      'https://example.com/b',
    ]);
  });

  it('does not wrap its own links again', () => {
    const once = instrument('<body><a href="https://example.com/">A</a></body>');
    const twice = instrument(once.html);
    expect(hrefs(twice.html!).slice(0, 2)).toEqual(hrefs(once.html!).slice(0, 2));
  });

  it('leaves a link untracked when its token would be too long to verify', () => {
    const long = `https://example.com/${'y'.repeat(3500)}`;
    const result = instrument(`<a href="${long}">Long</a>`);
    expect(hrefs(result.html!)[0]).toBe(long);
  });

  it('leaves a tag with an unclosed quote as it is, without swallowing what follows', () => {
    const html =
      '<p><a href="https://example.com/>Broken</a> text <a href="https://example.org/">Fine</a></p>';
    const result = instrument(html);
    expect(result.html).toContain('<a href="https://example.com/>Broken</a> text ');
    const fine = /<a href="([^"]+)">Fine<\/a>/.exec(result.html!);
    expect(tokens.verify(tokenOf(fine![1], 'c'), 'click')?.url).toBe('https://example.org/');
  });

  it('puts the open pixel and the unsubscribe link before the last </body>', () => {
    const result = instrument('<html><body><p>Hello</p></BODY></html>');
    const html = result.html!;
    const pixel = /<img src="([^"]+)" width="1" height="1" alt="" style="display:none">/.exec(html);
    expect(pixel).not.toBeNull();
    expect(tokens.verify(tokenOf(pixel![1], 'o'), 'open')).toEqual({ kind: 'open', deliveryId: DELIVERY });
    expect(html).toContain(`<a href="${result.unsubscribeUrl}">Unsubscribe</a>`);
    expect(html.endsWith('</BODY></html>')).toBe(true);
    expect(html.indexOf(pixel![0])).toBeLessThan(html.indexOf('</BODY>'));
    expect(html.startsWith('<html><body><p>Hello</p>')).toBe(true);
  });

  it('appends pixel and unsubscribe link to HTML without </body>', () => {
    const result = instrument('<p>Hi</p>');
    expect(result.html!.startsWith('<p>Hi</p>')).toBe(true);
    expect(result.html).toMatch(/<img src="http:\/\/localhost:3000\/public\/e\/o\/[^"]+"[^>]*>$/);
  });

  it('returns a signed unsubscribe URL and appends it to the text', () => {
    const result = instrument(null, 'Hello,\nsee you.');
    expect(tokens.verify(tokenOf(result.unsubscribeUrl, 'u'), 'unsubscribe')).toEqual({
      kind: 'unsubscribe',
      deliveryId: DELIVERY,
    });
    expect(result.text).toBe(`Hello,\nsee you.\n\nUnsubscribe: ${result.unsubscribeUrl}\n`);
    expect(result.html).toBeNull();
    expect(instrument(null, 'Line\n').text).toBe(`Line\n\nUnsubscribe: ${result.unsubscribeUrl}\n`);
    expect(instrument(null, null)).toEqual({ html: null, text: null, unsubscribeUrl: result.unsubscribeUrl });
  });

  it('leaves links in the text alone', () => {
    expect(
      instrument(null, 'Visit https://example.com/').text!.startsWith('Visit https://example.com/\n'),
    ).toBe(true);
  });

  it('accepts a base URL with a trailing slash or a path', () => {
    const slashed = instrument('<a href="https://example.com/">A</a>', null, 'https://track.example.com/');
    expect(slashed.unsubscribeUrl.startsWith('https://track.example.com/public/e/u/')).toBe(true);
    expect(hrefs(slashed.html!)[0].startsWith('https://track.example.com/public/e/c/')).toBe(true);
    const pathed = instrument(null, null, 'https://example.com/rl//');
    expect(pathed.unsubscribeUrl.startsWith('https://example.com/rl/public/e/u/')).toBe(true);
  });

  it('handles large, adversarial HTML in linear time', () => {
    const nasty = '<a '.repeat(50_000) + '"'.repeat(50_000) + "<a href='".repeat(20_000);
    const startedAt = Date.now();
    const result = instrument(nasty);
    expect(Date.now() - startedAt).toBeLessThan(2000);
    expect(result.html!.startsWith(nasty)).toBe(true);
  });
});
