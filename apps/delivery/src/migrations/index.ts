import { messagingMigrations } from '@rocketlead/messaging';
import { timersMigrations } from '@rocketlead/timers';
import { DELIVERY_SCHEMA } from '../database/entities';
import { DeliveryInit1795462159979 } from './1795462159979-DeliveryInit';

/**
 * Every migration of the delivery schema, in order. Generated; never edit one that has landed. The outbox,
 * inbox, dead-letter and timers tables come first, from @rocketlead/messaging and @rocketlead/timers.
 */
export const DELIVERY_MIGRATIONS = [
  ...messagingMigrations(DELIVERY_SCHEMA),
  ...timersMigrations(DELIVERY_SCHEMA),
  DeliveryInit1795462159979,
];
