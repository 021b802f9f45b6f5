import { messagingMigrations } from '../src';

/** The outbox, inbox and dead-letter tables exactly as services get them (from the messaging package). */
export const MESSAGING_TEST_MIGRATIONS = messagingMigrations('msgtest');
