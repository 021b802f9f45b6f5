import { MigrationInterface, QueryRunner } from 'typeorm';

export class CalendarInit1795391928824 implements MigrationInterface {
  name = 'CalendarInit1795391928824';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Overlap refusal on exclusive calendars lives in the database, so concurrent bookings cannot both win.
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);
    await queryRunner.query(`
            CREATE TABLE "calendar"."outbox" (
                "id" BIGSERIAL NOT NULL,
                "event_id" uuid NOT NULL,
                "type" text NOT NULL,
                "payload" jsonb NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "published_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "UQ_cc0c9e40998e45ecfc5e313429d" UNIQUE ("event_id"),
                CONSTRAINT "PK_340ab539f309f03bdaa14aa7649" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "outbox_unpublished_idx" ON "calendar"."outbox" ("id")
            WHERE published_at IS NULL
        `);
    await queryRunner.query(`
            CREATE TABLE "calendar"."inbox" (
                "consumer" text NOT NULL,
                "event_id" uuid NOT NULL,
                "handled_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_625a303addbbe1f30d3f65ed7fe" PRIMARY KEY ("consumer", "event_id")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "calendar"."timers" (
                "key" text NOT NULL,
                "kind" text NOT NULL,
                "due_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "payload" jsonb NOT NULL DEFAULT '{}'::jsonb,
                "state" text NOT NULL DEFAULT 'pending',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "fired_at" TIMESTAMP WITH TIME ZONE,
                "attempts" integer NOT NULL DEFAULT '0',
                "last_error" text,
                CONSTRAINT "PK_0f85262c2b427587d138f461f41" PRIMARY KEY ("key")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "timers_due_idx" ON "calendar"."timers" ("due_at")
            WHERE state = 'pending'
        `);
    await queryRunner.query(`
            CREATE TABLE "calendar"."calendars" (
                "id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "name" text NOT NULL,
                "timezone" text NOT NULL DEFAULT 'UTC',
                "exclusive" boolean NOT NULL DEFAULT false,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_90dc0330e8ec9028e23c290dee8" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "calendars_org_idx" ON "calendar"."calendars" ("organization_id", "id")
        `);
    await queryRunner.query(`
            CREATE TABLE "calendar"."bookings" (
                "id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "calendar_id" uuid NOT NULL,
                "table_entry_id" uuid,
                "title" text,
                "attendees" jsonb NOT NULL DEFAULT '[]'::jsonb,
                "start_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "end_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "status" text NOT NULL DEFAULT 'booked',
                "exclusive" boolean NOT NULL DEFAULT false,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_bee6805982cc1e248e94ce94957" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "bookings_org_page_idx" ON "calendar"."bookings" ("organization_id", "start_at", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "bookings_calendar_page_idx" ON "calendar"."bookings" (
                "organization_id",
                "calendar_id",
                "start_at",
                "id"
            )
        `);
    await queryRunner.query(`
            ALTER TABLE "calendar"."bookings"
            ADD CONSTRAINT "FK_1a2e583fa71f3bbc440032b7b33" FOREIGN KEY ("calendar_id") REFERENCES "calendar"."calendars"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "calendar"."bookings" ADD CONSTRAINT "bookings_no_overlap_on_exclusive"
            EXCLUDE USING gist ("calendar_id" WITH =, tstzrange("start_at", "end_at", '[)') WITH &&)
            WHERE ("exclusive" AND "status" = 'booked')
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "calendar"."bookings" DROP CONSTRAINT "bookings_no_overlap_on_exclusive"`,
    );
    await queryRunner.query(`
            ALTER TABLE "calendar"."bookings" DROP CONSTRAINT "FK_1a2e583fa71f3bbc440032b7b33"
        `);
    await queryRunner.query(`
            DROP INDEX "calendar"."bookings_calendar_page_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "calendar"."bookings_org_page_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "calendar"."bookings"
        `);
    await queryRunner.query(`
            DROP INDEX "calendar"."calendars_org_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "calendar"."calendars"
        `);
    await queryRunner.query(`
            DROP INDEX "calendar"."timers_due_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "calendar"."timers"
        `);
    await queryRunner.query(`
            DROP TABLE "calendar"."inbox"
        `);
    await queryRunner.query(`
            DROP INDEX "calendar"."outbox_unpublished_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "calendar"."outbox"
        `);
  }
}
