import { promises as dns } from 'node:dns';

/** An IP range of one family; `network` has its host bits cleared. */
export interface Cidr {
  family: 4 | 6;
  network: bigint;
  prefix: number;
}

/** A parsed address; IPv4-mapped IPv6 addresses are kept as IPv4 (see `canonical`). */
interface Ip {
  family: 4 | 6;
  value: bigint;
}

export interface VettedAddress {
  address: string;
  family: 4 | 6;
}

export type HostLookup = (host: string) => Promise<{ address: string; family: number }[]>;

/** The destination is not reachable by outbound webhooks; the attempt is not retried. */
export class DestinationRefusedError extends Error {
  constructor() {
    super('destination not allowed');
    this.name = 'DestinationRefusedError';
  }
}

const BITS = { 4: 32, 6: 128 } as const;

/** Dotted-quad decimal only: URLs are normalised by WHATWG URL, resolvers answer in this form. */
function parseIpv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    // Leading zeros are refused: some parsers read them as octal, so their meaning is ambiguous.
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseGroups(text: string, ipv4Tail: boolean): bigint[] | null {
  if (text === '') return [];
  const groups: bigint[] = [];
  const parts = text.split(':');
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index]!;
    if (ipv4Tail && index === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4(part);
      if (v4 === null) return null;
      groups.push(v4 >> 16n, v4 & 0xffffn);
    } else if (/^[0-9a-f]{1,4}$/i.test(part)) {
      groups.push(BigInt(parseInt(part, 16)));
    } else {
      return null;
    }
  }
  return groups;
}

function parseIpv6(text: string): bigint | null {
  // A zone (fe80::1%eth0) names an interface, not a different address.
  const address = text.split('%')[0]!;
  const halves = address.split('::');
  if (halves.length > 2) return null;
  // Only the last 32 bits may be written as a dotted quad.
  const head = parseGroups(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? parseGroups(halves[1]!, true) : [];
  if (head === null || tail === null) return null;
  const explicit = head.length + tail.length;
  if (halves.length === 2 ? explicit > 7 : explicit !== 8) return null;
  const groups = [...head, ...Array<bigint>(8 - explicit).fill(0n), ...tail];
  return groups.reduce((value, group) => (value << 16n) | group, 0n);
}

/** `::ffff:a.b.c.d` is the IPv4 address a.b.c.d: the socket reaches the same host. */
function canonical(ip: Ip): Ip {
  if (ip.family === 6 && ip.value >> 32n === 0xffffn) return { family: 4, value: ip.value & 0xffffffffn };
  return ip;
}

function parseIp(text: string): Ip | null {
  const v4 = parseIpv4(text);
  if (v4 !== null) return { family: 4, value: v4 };
  const v6 = text.includes(':') ? parseIpv6(text) : null;
  return v6 === null ? null : canonical({ family: 6, value: v6 });
}

function formatIp(ip: Ip): string {
  if (ip.family === 4)
    return [24n, 16n, 8n, 0n].map((shift) => String((ip.value >> shift) & 0xffn)).join('.');
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((shift) =>
    Number((ip.value >> shift) & 0xffffn),
  );
  // The longest run of two or more zero groups becomes '::' (RFC 5952).
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length++;
    if (length > bestLength) {
      bestStart = start;
      bestLength = length;
    }
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

function contains(cidr: Cidr, ip: Ip): boolean {
  if (cidr.family !== ip.family) return false;
  const shift = BigInt(BITS[cidr.family] - cidr.prefix);
  return ip.value >> shift === cidr.network >> shift;
}

function parseCidr(item: string): Cidr {
  const [addressText, prefixText, ...rest] = item.split('/');
  const parsed = parseIp(addressText!);
  if (parsed === null || rest.length > 0)
    throw new Error(`'${item}' is not an IP address or CIDR (e.g. 127.0.0.1/32, 10.0.0.0/8, fd00::/8)`);
  // A mapped IPv6 range of /96 or more is the IPv4 range it maps (canonical() turned the address to IPv4).
  const mapped = parsed.family === 4 && addressText!.includes(':');
  const maxPrefix = mapped ? 128 : BITS[parsed.family];
  let prefix: number = maxPrefix;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > maxPrefix)
      throw new Error(`'${item}' has an invalid prefix length (0 to ${maxPrefix})`);
    prefix = Number(prefixText);
  }
  if (mapped) {
    if (prefix < 96) throw new Error(`'${item}': an IPv4-mapped range needs a prefix of at least 96`);
    prefix -= 96;
  }
  const shift = BigInt(BITS[parsed.family] - prefix);
  return { family: parsed.family, network: (parsed.value >> shift) << shift, prefix };
}

/** `127.0.0.1/32, fd00::/8` → ranges; '' → none. A bare address is a /32 or /128. */
export function parseCidrs(raw: string): Cidr[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map(parseCidr);
}

// Loopback, private, link-local, shared (CGNAT), documentation, benchmarking, multicast and reserved ranges.
const REFUSED_V4 = parseCidrs(
  [
    '0.0.0.0/8',
    '10.0.0.0/8',
    '100.64.0.0/10',
    '127.0.0.0/8',
    '169.254.0.0/16',
    '172.16.0.0/12',
    '192.0.0.0/24',
    '192.0.2.0/24',
    '192.88.99.0/24',
    '192.168.0.0/16',
    '198.18.0.0/15',
    '198.51.100.0/24',
    '203.0.113.0/24',
    '224.0.0.0/4',
    '240.0.0.0/4',
  ].join(','),
);

const REFUSED_V6 = parseCidrs(
  [
    '::/96', // unspecified, loopback and the deprecated IPv4-compatible addresses
    '::ffff:0:0:0/96', // IPv4-translated (SIIT)
    '64:ff9b:1::/48', // local-use NAT64
    '100::/64', // discard-only
    '2001::/32', // Teredo: the tunnelled client address cannot be vetted
    '2001:db8::/32', // documentation
    'fc00::/7', // unique-local
    'fe80::/10', // link-local
    'fec0::/10', // site-local (deprecated)
    'ff00::/8', // multicast
  ].join(','),
);

const NAT64 = parseCidrs('64:ff9b::/96')[0]!;
const SIX_TO_FOUR = parseCidrs('2002::/16')[0]!;

/** Decides which addresses outbound webhooks may connect to, and resolves a URL's host to one of them. */
export class DestinationGuard {
  constructor(
    private readonly allowed: Cidr[],
    private readonly lookup: HostLookup = (host) => dns.lookup(host, { all: true, order: 'ipv4first' }),
  ) {}

  /** Whether a literal address (any spelling a resolver or WHATWG URL produces) may be reached. */
  isAllowed(address: string): boolean {
    const ip = parseIp(address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address);
    return ip !== null && this.permits(ip);
  }

  /**
   * The address to connect to for `url`: its IP literal or the first address its host resolves to.
   * Every resolved address must be allowed, so a host cannot mix a public and a private answer.
   */
  async vet(url: URL): Promise<VettedAddress> {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DestinationRefusedError();
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (host === '') throw new DestinationRefusedError();
    const literal = parseIp(host);
    if (literal !== null) return this.accept([literal]);
    const found = await this.lookup(host);
    if (found.length === 0) throw new Error(`DNS lookup of ${host} found no address`);
    const ips = found.map((entry) => parseIp(entry.address));
    if (ips.some((ip) => ip === null)) throw new DestinationRefusedError();
    return this.accept(ips as Ip[]);
  }

  private accept(ips: Ip[]): VettedAddress {
    if (!ips.every((ip) => this.permits(ip))) throw new DestinationRefusedError();
    return { address: formatIp(ips[0]!), family: ips[0]!.family };
  }

  private permits(ip: Ip): boolean {
    if (this.allowed.some((cidr) => contains(cidr, ip))) return true;
    if (ip.family === 4) return !REFUSED_V4.some((cidr) => contains(cidr, ip));
    // NAT64 and 6to4 addresses reach the IPv4 address they embed: that one decides.
    if (contains(NAT64, ip)) return this.permits({ family: 4, value: ip.value & 0xffffffffn });
    if (contains(SIX_TO_FOUR, ip)) return this.permits({ family: 4, value: (ip.value >> 80n) & 0xffffffffn });
    return !REFUSED_V6.some((cidr) => contains(cidr, ip));
  }
}
