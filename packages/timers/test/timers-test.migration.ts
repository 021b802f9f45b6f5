import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The timers table as a service migration creates it, plus a table the handler writes to. */
export class TimersTestInit1700000000002 implements MigrationInterface {
  name = 'TimersTestInit1700000000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "timertest"."timers" ("key" text PRIMARY KEY, "kind" text NOT NULL, "due_at" timestamptz NOT NULL,
      "payload" jsonb NOT NULL DEFAULT '{}'::jsonb, "state" text NOT NULL DEFAULT 'pending', "created_at" timestamptz NOT NULL DEFAULT now(),
      "fired_at" timestamptz, "attempts" int NOT NULL DEFAULT 0, "last_error" text)`);
    await q.query(`CREATE INDEX "timers_due_idx" ON "timertest"."timers" ("due_at") WHERE state = 'pending'`);
    await q.query(`CREATE TABLE "timertest"."effects" ("key" text NOT NULL, "runner" text NOT NULL, "late" boolean NOT NULL,
      "due_at" timestamptz NOT NULL, "fired_at" timestamptz NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE "timertest"."effects"');
    await q.query('DROP TABLE "timertest"."timers"');
  }
}
