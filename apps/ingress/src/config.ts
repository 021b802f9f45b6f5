import { isIP } from 'node:net';
import { commonServiceEnv, loadConfig, parsers, type ConfigOf } from '@rocketlead/observability';

/** `''` (trust nobody), a hop count, or a list of IP addresses and CIDRs, each checked. */
function parseTrustProxy(raw: string): string | number | undefined {
  const value = raw.trim();
  if (value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  for (const item of value.split(',').map((part) => part.trim())) {
    const [address, bits, extra] = item.split('/');
    const family = isIP(address ?? '');
    const maxBits = family === 6 ? 128 : 32;
    const bitsOk = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= maxBits);
    if (family === 0 || !bitsOk || extra !== undefined)
      throw new Error(
        `"${item}" is not an IP address or CIDR (e.g. 10.0.0.0/8), and the value is no hop count`,
      );
  }
  return value;
}

export const INGRESS_ENV = {
  ...commonServiceEnv(3000),
  PUBLIC_URL: {
    default: 'auto',
    parse: (raw: string) => (raw === 'auto' ? raw : parsers.url('http', 'https')(raw).replace(/\/+$/, '')),
    description: 'Base URL clients use to reach ingress (for webhook URLs); auto = http://localhost:PORT',
  },
  TRUST_PROXY: {
    default: '',
    parse: parseTrustProxy,
    description:
      'Proxies whose X-Forwarded-For gives the client address (form rate limits): comma-separated IPs or CIDRs, or a hop count; empty = the socket peer',
  },
};

export type IngressConfig = ConfigOf<typeof INGRESS_ENV>;

export function loadIngressConfig(env: NodeJS.ProcessEnv = process.env): IngressConfig {
  const config = loadConfig(INGRESS_ENV, env);
  return {
    ...config,
    PUBLIC_URL: config.PUBLIC_URL === 'auto' ? `http://localhost:${config.PORT}` : config.PUBLIC_URL,
  };
}
