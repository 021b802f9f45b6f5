export * from './leads.commands';
export * from './calendar.commands';

import type { Schema } from '../validation';
import { LEADS_COMMAND_SCHEMAS, type LeadsCommandMap } from './leads.commands';
import { CALENDAR_COMMAND_SCHEMAS, type CalendarCommandMap } from './calendar.commands';

/** Request/response types of every command, across services. */
export type CommandMap = LeadsCommandMap & CalendarCommandMap;
export type CommandRequest<K extends keyof CommandMap> = CommandMap[K][0];
export type CommandResponse<K extends keyof CommandMap> = CommandMap[K][1];

const COMMAND_SCHEMAS: { [K in keyof CommandMap]: Schema<unknown> } = {
  ...LEADS_COMMAND_SCHEMAS,
  ...CALENDAR_COMMAND_SCHEMAS,
};

export function commandSchema(name: keyof CommandMap): Schema<unknown> {
  return COMMAND_SCHEMAS[name];
}
