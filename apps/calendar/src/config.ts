import { commonServiceEnv, loadConfig, type ConfigOf } from '@rocketlead/observability';

// calendar serves only health endpoints over HTTP; its API is request/reply over NATS.
export const CALENDAR_ENV = commonServiceEnv(3002);

export type CalendarConfig = ConfigOf<typeof CALENDAR_ENV>;

export const loadCalendarConfig = (env: NodeJS.ProcessEnv = process.env): CalendarConfig =>
  loadConfig(CALENDAR_ENV, env);
