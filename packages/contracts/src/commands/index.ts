export * from './actor.message';
export * from './page.command';
export * from './leads.commands';
export * from './contacts.commands';
export * from './deals.commands';
export * from './forms.commands';
export * from './calendar.commands';
export * from './automation.commands';
export * from './delivery.commands';
export * from './crm-events.commands';
export * from './integrations.commands';

import { LEADS_COMMAND_CLASSES, type LeadsCommandMap } from './leads.commands';
import { CONTACTS_COMMAND_CLASSES, type ContactsCommandMap } from './contacts.commands';
import { DEALS_COMMAND_CLASSES, type DealsCommandMap } from './deals.commands';
import { FORMS_COMMAND_CLASSES, type FormsCommandMap } from './forms.commands';
import { CALENDAR_COMMAND_CLASSES, type CalendarCommandMap } from './calendar.commands';
import { AUTOMATION_COMMAND_CLASSES, type AutomationCommandMap } from './automation.commands';
import { DELIVERY_COMMAND_CLASSES, type DeliveryCommandMap } from './delivery.commands';
import { CRM_EVENTS_COMMAND_CLASSES, type CrmEventsCommandMap } from './crm-events.commands';
import { INTEGRATIONS_COMMAND_CLASSES, type IntegrationsCommandMap } from './integrations.commands';

/** Request/response types of every command, across services. */
export type CommandMap = LeadsCommandMap &
  ContactsCommandMap &
  DealsCommandMap &
  FormsCommandMap &
  CalendarCommandMap &
  AutomationCommandMap &
  DeliveryCommandMap &
  CrmEventsCommandMap &
  IntegrationsCommandMap;
export type CommandRequest<K extends keyof CommandMap> = CommandMap[K][0];
export type CommandResponse<K extends keyof CommandMap> = CommandMap[K][1];

const COMMAND_CLASSES: { [K in keyof CommandMap]: new () => CommandRequest<K> } = {
  ...LEADS_COMMAND_CLASSES,
  ...CONTACTS_COMMAND_CLASSES,
  ...DEALS_COMMAND_CLASSES,
  ...FORMS_COMMAND_CLASSES,
  ...CALENDAR_COMMAND_CLASSES,
  ...AUTOMATION_COMMAND_CLASSES,
  ...DELIVERY_COMMAND_CLASSES,
  ...CRM_EVENTS_COMMAND_CLASSES,
  ...INTEGRATIONS_COMMAND_CLASSES,
};

/** The class-validator class of a command's request (what its handler's `@Payload()` is typed as). */
export function commandClass<K extends keyof CommandMap>(name: K): new () => CommandRequest<K> {
  return COMMAND_CLASSES[name];
}
