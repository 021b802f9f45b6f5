import { createHmac, timingSafeEqual } from 'node:crypto';
import { DELIVERY_LIMITS } from '@rocketlead/contracts';

export type TrackingKind = 'open' | 'click' | 'unsubscribe';

export interface TrackingClaims {
  kind: TrackingKind;
  deliveryId: string;
  /** The click's target (absolute http(s) URL); click tokens only. */
  url?: string;
}

/** Longer tokens are refused unread; instrumentEmail leaves links that would need one untracked. */
export const MAX_TOKEN_LENGTH = DELIVERY_LIMITS.trackingTokenLength;
// 128 bits of HMAC-SHA256: far beyond guessing, and keeps the links short.
const SIGNATURE_BYTES = 16;
const KIND_CODES: Record<TrackingKind, string> = { open: 'o', click: 'c', unsubscribe: 'u' };
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const HTTP_URL = /^https?:\/\//i;

interface Payload {
  k: string;
  d: string;
  u?: string;
}

/**
 * Signed, URL-safe tokens for the links of an email: base64url(JSON claims) "." base64url(HMAC-SHA256,
 * first 16 bytes). The kind is part of what is signed, so an open token cannot be replayed as an
 * unsubscribe; the click target is signed too, so the redirect cannot be pointed elsewhere (no open
 * redirect). Tokens do not expire: links in a mailbox must keep working.
 */
export class TrackingTokens {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new RangeError('the tracking key must be 32 bytes');
  }

  sign(claims: TrackingClaims): string {
    if (claims.deliveryId === '') throw new TypeError('a tracking token needs a delivery id');
    const payload: Payload = { k: KIND_CODES[claims.kind], d: claims.deliveryId };
    if (claims.kind === 'click') {
      if (claims.url === undefined || !HTTP_URL.test(claims.url))
        throw new TypeError('a click token needs an absolute http(s) URL');
      payload.u = claims.url;
    }
    const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    return `${body}.${this.mac(body).toString('base64url')}`;
  }

  /** The token's claims when it is well-formed, signed with this key and of `kind`; null otherwise. */
  verify(token: string, kind: TrackingKind): TrackingClaims | null {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null;
    const dot = token.indexOf('.');
    if (dot <= 0 || dot !== token.lastIndexOf('.')) return null;
    const body = token.slice(0, dot);
    const signature = token.slice(dot + 1);
    if (!BASE64URL.test(body) || !BASE64URL.test(signature)) return null;
    const given = Buffer.from(signature, 'base64url');
    // Exact re-encoding: a signature with stray trailing bits would otherwise decode to the same bytes.
    if (given.length !== SIGNATURE_BYTES || given.toString('base64url') !== signature) return null;
    if (!timingSafeEqual(given, this.mac(body))) return null;
    return this.claims(body, kind);
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.key).update(body, 'utf8').digest().subarray(0, SIGNATURE_BYTES);
  }

  private claims(body: string, kind: TrackingKind): TrackingClaims | null {
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    if (typeof payload !== 'object' || payload === null) return null;
    const { k, d, u } = payload as Partial<Record<keyof Payload, unknown>>;
    if (k !== KIND_CODES[kind] || typeof d !== 'string' || d === '') return null;
    if (kind !== 'click') return { kind, deliveryId: d };
    if (typeof u !== 'string' || !HTTP_URL.test(u)) return null;
    return { kind, deliveryId: d, url: u };
  }
}

// An <a> start tag: quoted attribute values may hold '>'. A '<' ends them, so an unclosed quote spoils
// only its own tag (left as it is) rather than swallowing the text up to the next quote.
const ANCHOR_TAG = /(<a)(?=[\s/>])((?:[^<>"']|"[^"<]*"|'[^'<]*')*)>/gi;
// One attribute: name, then optionally = and a double-quoted, single-quoted or bare value.
const ATTRIBUTE = /([^\s"'>/=]+)(\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the character references that occur in URLs (&amp; above all); others are left as written. */
function decodeEntities(value: string): string {
  return value.replace(
    /&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|([a-z]+));/gi,
    (whole, dec?: string, hex?: string, name?: string) => {
      if (name !== undefined) return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
      const code = dec !== undefined ? Number(dec) : parseInt(hex ?? '', 16);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    },
  );
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The tag with its href replaced by `rewrite(url)`, when it has an absolute http(s) href `rewrite` accepts. */
function rewriteAnchor(attributes: string, rewrite: (url: string) => string | null): string | null {
  ATTRIBUTE.lastIndex = 0;
  for (let match = ATTRIBUTE.exec(attributes); match !== null; match = ATTRIBUTE.exec(attributes)) {
    if (match[1].toLowerCase() !== 'href') continue;
    if (match[2] === undefined) return null;
    // Browsers ignore surrounding whitespace in a URL attribute.
    const url = decodeEntities(match[3] ?? match[4] ?? match[5] ?? '').trim();
    if (!HTTP_URL.test(url)) return null;
    const replacement = rewrite(url);
    if (replacement === null) return null;
    const start = match.index;
    const end = start + match[0].length;
    return `${attributes.slice(0, start)}href="${escapeAttribute(replacement)}"${attributes.slice(end)}`;
  }
  return null;
}

export interface InstrumentedEmail {
  html: string | null;
  text: string | null;
  /** For the List-Unsubscribe header, too. */
  unsubscribeUrl: string;
}

/**
 * Adds tracking to an email's bodies. HTML: every absolute http(s) link goes through the click redirect
 * (mailto:, tel:, #anchors and relative links are left alone), a 1x1 open pixel and an unsubscribe link
 * are added before </body> (or at the end). Text: an `Unsubscribe: <url>` line is appended.
 * A regex over <a> start tags, not a parser: email HTML is often malformed, and only hrefs change.
 */
export function instrumentEmail(input: {
  html: string | null;
  text: string | null;
  deliveryId: string;
  baseUrl: string;
  tokens: TrackingTokens;
}): InstrumentedEmail {
  const base = input.baseUrl.replace(/\/+$/, '');
  const link = (route: 'o' | 'c' | 'u', token: string): string => `${base}/public/e/${route}/${token}`;
  const unsubscribeUrl = link('u', input.tokens.sign({ kind: 'unsubscribe', deliveryId: input.deliveryId }));

  let html: string | null = null;
  if (input.html !== null) {
    const ownLinks = `${base}/public/e/`;
    const clickUrl = (url: string): string | null => {
      // Already instrumented (a second pass) or one of ours: wrapping it again would add nothing.
      if (url.startsWith(ownLinks)) return null;
      const token = input.tokens.sign({ kind: 'click', deliveryId: input.deliveryId, url });
      // A token too long to verify would break the link: such a link stays untracked instead.
      return token.length <= MAX_TOKEN_LENGTH ? link('c', token) : null;
    };
    const linked = input.html.replace(ANCHOR_TAG, (tag, name: string, attributes: string) => {
      const rewritten = rewriteAnchor(attributes, clickUrl);
      return rewritten === null ? tag : `${name}${rewritten}>`;
    });
    const openUrl = link('o', input.tokens.sign({ kind: 'open', deliveryId: input.deliveryId }));
    const footer =
      `<p style="font-size:12px;color:#888888"><a href="${escapeAttribute(unsubscribeUrl)}">Unsubscribe</a></p>` +
      `<img src="${escapeAttribute(openUrl)}" width="1" height="1" alt="" style="display:none">`;
    const bodyEnd = linked.search(/<\/body\s*>(?![\s\S]*<\/body\s*>)/i);
    html = bodyEnd === -1 ? linked + footer : linked.slice(0, bodyEnd) + footer + linked.slice(bodyEnd);
  }

  let text: string | null = null;
  if (input.text !== null) {
    const separator = input.text === '' ? '' : input.text.endsWith('\n') ? '\n' : '\n\n';
    text = `${input.text}${separator}Unsubscribe: ${unsubscribeUrl}\n`;
  }
  return { html, text, unsubscribeUrl };
}
