import { commonServiceEnv, eventRetentionEnv, loadConfig, type ConfigOf } from '@rocketlead/observability';

// leads serves only health endpoints over HTTP; its API is request/reply over NATS.
export const LEADS_ENV = { ...commonServiceEnv(3001), ...eventRetentionEnv() };

export type LeadsConfig = ConfigOf<typeof LEADS_ENV>;

export const loadLeadsConfig = (env: NodeJS.ProcessEnv = process.env): LeadsConfig =>
  loadConfig(LEADS_ENV, env);
