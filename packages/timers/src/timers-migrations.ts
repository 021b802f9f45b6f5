import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A migration class as TypeORM's `migrations` option takes it. */
export type TimersMigrationClass = new () => MigrationInterface;

// Marks objects this package created, so a `down` removes only what its `up` made: calendar created its
// timers table in its own first migration, which stays its owner.
const CREATED_HERE = 'created by @rocketlead/timers';

/**
 * The timers table of a service's schema and what dead-lettering and retention need. Register them after the
 * service's own first migration: `[MyInit…, ...timersMigrations(MY_SCHEMA)]`.
 */
export function timersMigrations(schema: string): TimersMigrationClass[] {
  const s = `"${schema}"`;

  class TimersTable1795431400000 implements MigrationInterface {
    name = 'TimersTable1795431400000';

    async up(q: QueryRunner): Promise<void> {
      const [{ present }] = (await q.query('SELECT to_regclass($1) IS NOT NULL AS present', [
        `${s}."timers"`,
      ])) as [{ present: boolean }];
      if (present) return;
      await q.query(`CREATE TABLE ${s}."timers" (
        "key" text NOT NULL,
        "kind" text NOT NULL,
        "due_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "payload" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "state" text NOT NULL DEFAULT 'pending',
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "fired_at" TIMESTAMP WITH TIME ZONE,
        "attempts" integer NOT NULL DEFAULT '0',
        "last_error" text,
        CONSTRAINT "PK_0f85262c2b427587d138f461f41" PRIMARY KEY ("key"))`);
      await q.query(`CREATE INDEX "timers_due_idx" ON ${s}."timers" ("due_at") WHERE state = 'pending'`);
      // The note sits on the index: TypeORM compares table comments with entities, not index comments.
      await q.query(`COMMENT ON INDEX ${s}."timers_due_idx" IS '${CREATED_HERE}'`);
    }

    async down(q: QueryRunner): Promise<void> {
      const [{ note }] = (await q.query(`SELECT obj_description(to_regclass($1), 'pg_class') AS note`, [
        `${s}."timers_due_idx"`,
      ])) as [{ note: string | null }];
      if (note === CREATED_HERE) await q.query(`DROP TABLE ${s}."timers"`);
    }
  }

  class TimersDeadLetters1795431500000 implements MigrationInterface {
    name = 'TimersDeadLetters1795431500000';

    async up(q: QueryRunner): Promise<void> {
      await q.query(`ALTER TABLE ${s}."timers" ADD "done_at" TIMESTAMP WITH TIME ZONE`);
      await q.query(
        `UPDATE ${s}."timers" SET "done_at" = coalesce("fired_at", now()) WHERE "state" <> 'pending'`,
      );
      await q.query(
        `CREATE INDEX "timers_done_idx" ON ${s}."timers" ("done_at") WHERE state IN ('fired', 'cancelled')`,
      );
      await q.query(`CREATE INDEX "timers_dead_idx" ON ${s}."timers" ("done_at") WHERE state = 'dead'`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP INDEX ${s}."timers_dead_idx"`);
      await q.query(`DROP INDEX ${s}."timers_done_idx"`);
      // Without the state, a dead timer is what it was before: pending, with its attempts used up.
      await q.query(`UPDATE ${s}."timers" SET "state" = 'pending' WHERE "state" = 'dead'`);
      await q.query(`ALTER TABLE ${s}."timers" DROP COLUMN "done_at"`);
    }
  }

  return [TimersTable1795431400000, TimersDeadLetters1795431500000];
}
