import { messagingMigrations } from '@rocketlead/messaging';
import { timersMigrations } from '@rocketlead/timers';
import { LEADS_SCHEMA } from '../database/entities';
import { LeadsInit1795388567829 } from './1795388567829-LeadsInit';
import { LeadsAppliedUpdates1795451924851 } from './1795451924851-LeadsAppliedUpdates';
import { LeadsContacts1795481990997 } from './1795481990997-LeadsContacts';
import { LeadsDeals1795485391663 } from './1795485391663-LeadsDeals';
import { LeadsBirthdays1795486667130 } from './1795486667130-LeadsBirthdays';
import { LeadsForms1795492828956 } from './1795492828956-LeadsForms';
import { LeadsEntryFilters1795618876653 } from './1795618876653-LeadsEntryFilters';

/**
 * Every migration of the leads schema, in order. Generated; never edit one that has landed. The outbox, inbox
 * and dead-letter tables come from @rocketlead/messaging (LeadsInit made the first two before that existed), the
 * timers table (daily birthday sweeps) from @rocketlead/timers.
 */
export const LEADS_MIGRATIONS = [
  LeadsInit1795388567829,
  ...messagingMigrations(LEADS_SCHEMA),
  LeadsAppliedUpdates1795451924851,
  LeadsContacts1795481990997,
  LeadsDeals1795485391663,
  ...timersMigrations(LEADS_SCHEMA),
  LeadsBirthdays1795486667130,
  LeadsForms1795492828956,
  LeadsEntryFilters1795618876653,
];
