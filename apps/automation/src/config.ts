import {
  commonServiceEnv,
  eventRetentionEnv,
  loadConfig,
  parsers,
  type ConfigOf,
} from '@rocketlead/observability';

// automation serves only health endpoints over HTTP; its API is request/reply over NATS.
export const AUTOMATION_ENV = {
  ...commonServiceEnv(3003),
  ...eventRetentionEnv(),
  AUTOMATION_MAX_DEPTH: {
    default: '8',
    parse: parsers.positiveInt,
    description:
      'Deepest cascade an event may have and still start runs (deeper: run skipped, "cascade depth limit")',
  },
  AUTOMATION_CONCURRENCY: {
    default: '32',
    parse: parsers.positiveInt,
    description:
      'Leads whose events are handled at the same time by one replica (one lead is always one at a time)',
  },
  TIMERS_RETENTION: {
    default: '7d',
    parse: parsers.duration(),
    description: 'How long fired and cancelled timers (waits, task deadlines, reminders) are kept',
  },
};

export type AutomationConfig = ConfigOf<typeof AUTOMATION_ENV>;

export const loadAutomationConfig = (env: NodeJS.ProcessEnv = process.env): AutomationConfig =>
  loadConfig(AUTOMATION_ENV, env);
