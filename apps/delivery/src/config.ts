import {
  commonServiceEnv,
  eventRetentionEnv,
  loadConfig,
  parsers,
  publicBaseUrlEnv,
  type ConfigOf,
} from '@rocketlead/observability';
import { parseSecretKey } from '@rocketlead/persistence';
import { parseCidrs, type Cidr } from './outbound/ssrf-guard';

// delivery serves only health endpoints over HTTP; its API is request/reply over NATS.
export const DELIVERY_ENV = {
  ...commonServiceEnv(3004),
  ...eventRetentionEnv(),
  DELIVERY_RETRY_SCHEDULE: {
    default: '10s,1m,5m,30m,2h',
    parse: parsers.retrySchedule,
    description: 'Waits between the attempts of a failed delivery (one retry per step, ±20 % jitter)',
  },
  DELIVERY_ENDPOINT_CONCURRENCY: {
    default: '10',
    parse: parsers.positiveInt,
    description: 'Requests in flight to one endpoint (or one raw URL origin) per replica',
  },
  DELIVERY_CONCURRENCY: {
    default: '32',
    parse: parsers.positiveInt,
    description:
      "Events handled at the same time by each of a replica's consumers (delivery requests, and each subscribed stream)",
  },
  DELIVERY_ALLOWED_CIDRS: {
    default: '',
    parse: (raw: string): Cidr[] => parseCidrs(raw),
    description:
      'Comma-separated CIDRs outbound webhooks may reach although private or loopback (development and tests)',
  },
  DELIVERY_SECRET_KEY: {
    default: '',
    parse: parseSecretKey,
    description:
      'Key (32 bytes: 64 hex characters or base64) encrypting endpoint secrets and signing email links; required when NODE_ENV=production',
    display: () => '[redacted]',
  },
  NODE_ENV: {
    default: 'development',
    parse: parsers.string,
    description: 'production requires DELIVERY_SECRET_KEY',
    check: (env: NodeJS.ProcessEnv) =>
      env.NODE_ENV === 'production' && !env.DELIVERY_SECRET_KEY
        ? 'production requires DELIVERY_SECRET_KEY (the development key is public)'
        : undefined,
  },
  ...publicBaseUrlEnv('email tracking links and SMS status callbacks'),
  SMTP_URL: {
    default: '',
    parse: (raw: string): string => (raw === '' ? raw : parsers.url('smtp', 'smtps')(raw)),
    description: 'SMTP server for email, e.g. smtp://user:pass@host:587; empty = email deliveries fail',
    display: (raw: string) => raw.replace(/\/\/([^/@:]*)(:[^/@]*)?@/g, '//$1:[redacted]@'),
  },
  EMAIL_FROM: {
    default: 'RocketLead <no-reply@localhost>',
    parse: parsers.string,
    description: 'From address of every email',
  },
  SMS_API_URL: {
    default: 'https://api.twilio.com',
    parse: parsers.url('http', 'https'),
    description: 'Base URL of the Twilio-compatible SMS API',
  },
  SMS_ACCOUNT_SID: { default: '', parse: parsers.string, description: 'SMS API account SID' },
  SMS_AUTH_TOKEN: {
    default: '',
    parse: parsers.string,
    description: 'SMS API auth token (Basic auth and X-Twilio-Signature); empty = SMS deliveries fail',
    display: () => '[redacted]',
  },
  SMS_FROM: { default: '', parse: parsers.string, description: 'Sender number of text messages (E.164)' },
  SMS_DEFAULT_COUNTRY: {
    default: 'US',
    parse: (raw: string): string => {
      if (!/^[A-Z]{2}$/.test(raw)) throw new Error('must be a two-letter country code, e.g. US or DE');
      return raw;
    },
    description: 'Country assumed for phone numbers written without a +country prefix',
  },
  TIMERS_RETENTION: {
    default: '7d',
    parse: parsers.duration(),
    description: 'How long fired and cancelled retry timers are kept before deletion',
  },
};

export type DeliveryConfig = ConfigOf<typeof DELIVERY_ENV>;

export const loadDeliveryConfig = (env: NodeJS.ProcessEnv = process.env): DeliveryConfig =>
  loadConfig(DELIVERY_ENV, env);
