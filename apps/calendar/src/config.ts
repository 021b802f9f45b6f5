import {
  commonServiceEnv,
  eventRetentionEnv,
  loadConfig,
  parsers,
  type ConfigOf,
} from '@rocketlead/observability';

// calendar serves only health endpoints over HTTP; its API is request/reply over NATS.
export const CALENDAR_ENV = {
  ...commonServiceEnv(3002),
  ...eventRetentionEnv(),
  TIMERS_RETENTION: {
    default: '7d',
    parse: parsers.duration(),
    description: 'How long fired and cancelled booking timers are kept before deletion',
  },
};

export type CalendarConfig = ConfigOf<typeof CALENDAR_ENV>;

export const loadCalendarConfig = (env: NodeJS.ProcessEnv = process.env): CalendarConfig =>
  loadConfig(CALENDAR_ENV, env);
