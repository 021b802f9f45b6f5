import { commonServiceEnv, loadConfig, parsers, type ConfigOf } from '@rocketlead/observability';

export const INGRESS_ENV = {
  ...commonServiceEnv(3000),
  PUBLIC_URL: {
    default: 'auto',
    parse: (raw: string) => (raw === 'auto' ? raw : parsers.url('http', 'https')(raw).replace(/\/+$/, '')),
    description: 'Base URL clients use to reach ingress (for webhook URLs); auto = http://localhost:PORT',
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
