import { messagingMigrations } from '@rocketlead/messaging';
import { timersMigrations } from '@rocketlead/timers';
import { INTEGRATIONS_SCHEMA } from '../database/entities';
import { IntegrationsInit1795502669976 } from './1795502669976-IntegrationsInit';

/**
 * Every migration of the integrations schema, in order. Generated; never edit one that has landed. The
 * outbox, inbox, dead-letter and timers tables come first, from @rocketlead/messaging and @rocketlead/timers.
 */
export const INTEGRATIONS_MIGRATIONS = [
  ...messagingMigrations(INTEGRATIONS_SCHEMA),
  ...timersMigrations(INTEGRATIONS_SCHEMA),
  IntegrationsInit1795502669976,
];
