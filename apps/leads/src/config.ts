import {
  commonServiceEnv,
  eventRetentionEnv,
  loadConfig,
  publicBaseUrlEnv,
  type ConfigOf,
} from '@rocketlead/observability';

// leads serves only health endpoints over HTTP; its API is request/reply over NATS.
export const LEADS_ENV = {
  ...commonServiceEnv(3001),
  ...eventRetentionEnv(),
  ...publicBaseUrlEnv('the verification links of form submissions'),
};

export type LeadsConfig = ConfigOf<typeof LEADS_ENV>;

export const loadLeadsConfig = (env: NodeJS.ProcessEnv = process.env): LeadsConfig =>
  loadConfig(LEADS_ENV, env);
