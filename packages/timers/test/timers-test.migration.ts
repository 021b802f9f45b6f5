import type { MigrationInterface, QueryRunner } from 'typeorm';
import { timersMigrations } from '../src';

/** A table the tests' handlers write to. */
class TimersTestEffects1795431600000 implements MigrationInterface {
  name = 'TimersTestEffects1795431600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "timertest"."effects" ("key" text NOT NULL, "runner" text NOT NULL, "late" boolean NOT NULL,
      "due_at" timestamptz NOT NULL, "fired_at" timestamptz NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE "timertest"."effects"');
  }
}

/** The timers table exactly as services get it (from the timers package), plus the effects table. */
export const TIMERS_TEST_MIGRATIONS = [...timersMigrations('timertest'), TimersTestEffects1795431600000];
