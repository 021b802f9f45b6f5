import {
  commonServiceEnv,
  eventRetentionEnv,
  loadConfig,
  parsers,
  type ConfigOf,
} from '@rocketlead/observability';
import { parseSecretKey } from '@rocketlead/persistence';

const EVENTBRITE_API_DEFAULT = 'https://www.eventbriteapi.com/v3/';
// Where the public development key may stand in for INTEGRATIONS_ENCRYPTION_KEY: a developer's machine and test
// runs (a test runner sets NODE_ENV=test for everything it starts, `pnpm start` included). Anything else is a
// deployment, and refuses to start without a key of its own.
const KEYLESS_ENVIRONMENTS: readonly string[] = ['development', 'test'];

// integrations serves only health endpoints over HTTP; its API is request/reply over NATS.
export const INTEGRATIONS_ENV = {
  ...commonServiceEnv(3005),
  ...eventRetentionEnv(),
  INTEGRATIONS_ENCRYPTION_KEY: {
    default: '',
    parse: parseSecretKey,
    description:
      'Key (32 bytes: 64 hex characters or base64) encrypting provider secrets (webhook secrets, API keys and tokens); required unless NODE_ENV is development or test',
    display: () => '[redacted]',
  },
  NODE_ENV: {
    default: 'development',
    parse: parsers.string,
    description: 'Anything but development or test requires INTEGRATIONS_ENCRYPTION_KEY',
    // Checked on NODE_ENV itself: an unset key is the default, so a check on the key would never run.
    check: (env: NodeJS.ProcessEnv) =>
      !KEYLESS_ENVIRONMENTS.includes(env.NODE_ENV ?? 'development') && !env.INTEGRATIONS_ENCRYPTION_KEY
        ? `${env.NODE_ENV} requires INTEGRATIONS_ENCRYPTION_KEY (32 bytes as 64 hex characters or base64; the development key is public)`
        : undefined,
  },
  STRIPE_API_BASE: {
    default: '',
    parse: (raw: string): string => (raw === '' ? raw : parsers.url('http', 'https')(raw)),
    description:
      "Address of the Stripe API (line items); empty = Stripe's own (tests and development set a local one)",
  },
  EVENTBRITE_API_URL: {
    default: EVENTBRITE_API_DEFAULT,
    parse: parsers.url('http', 'https'),
    description: 'Base of the Eventbrite API; a webhook api_url outside it is refused and never fetched',
  },
  INTEGRATIONS_PROVIDER_TIMEOUT_MS: {
    default: '10000',
    parse: parsers.positiveInt,
    description: 'How long one request to Stripe or Eventbrite may take before it counts as failed (retried)',
  },
  INTEGRATIONS_RETRY_SCHEDULE: {
    default: '10s,1m,5m,30m,2h',
    parse: parsers.retrySchedule,
    description:
      'Waits between the processing attempts of an inbound webhook after a provider or service failure (one retry per step, ±20 % jitter)',
  },
  TIMERS_RETENTION: {
    default: '7d',
    parse: parsers.duration(),
    description: 'How long fired processing timers are kept before deletion',
  },
};

export type IntegrationsConfig = ConfigOf<typeof INTEGRATIONS_ENV>;

export const loadIntegrationsConfig = (env: NodeJS.ProcessEnv = process.env): IntegrationsConfig =>
  loadConfig(INTEGRATIONS_ENV, env);
