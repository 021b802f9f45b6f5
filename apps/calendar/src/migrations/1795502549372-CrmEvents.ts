import { MigrationInterface, QueryRunner } from 'typeorm';

export class CrmEvents1795502549372 implements MigrationInterface {
  name = 'CrmEvents1795502549372';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "calendar"."crm_events" (
                "id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "name" text NOT NULL,
                "table_id" uuid NOT NULL,
                "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "ends_at" TIMESTAMP WITH TIME ZONE,
                "capacity" integer,
                "eventbrite_event_id" text,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_dbf3739b757e4207af7919461c1" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "crm_events_org_page_idx" ON "calendar"."crm_events" ("organization_id", "starts_at", "id")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "crm_events_eventbrite_event_unique" ON "calendar"."crm_events" ("organization_id", "eventbrite_event_id")
            WHERE "eventbrite_event_id" IS NOT NULL
        `);
    await queryRunner.query(`
            CREATE TABLE "calendar"."event_registrations" (
                "id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "event_id" uuid NOT NULL,
                "entry_id" uuid NOT NULL,
                "email" text NOT NULL,
                "source" text NOT NULL,
                "status" text NOT NULL DEFAULT 'active',
                "external_order_id" text,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "cancelled_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_953d3b862c2487289a92b2356e9" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "event_registrations_email_idx" ON "calendar"."event_registrations" ("event_id", "email")
        `);
    await queryRunner.query(`
            CREATE INDEX "event_registrations_page_idx" ON "calendar"."event_registrations" ("event_id", "created_at", "id")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "event_registrations_event_entry_unique" ON "calendar"."event_registrations" ("event_id", "entry_id")
        `);
    await queryRunner.query(`
            ALTER TABLE "calendar"."timers"
            ALTER COLUMN "payload"
            SET DEFAULT '{}'::jsonb
        `);
    await queryRunner.query(`
            ALTER TABLE "calendar"."event_registrations"
            ADD CONSTRAINT "FK_28b0a253c87a80a4b013c437f7d" FOREIGN KEY ("event_id") REFERENCES "calendar"."crm_events"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "calendar"."event_registrations" DROP CONSTRAINT "FK_28b0a253c87a80a4b013c437f7d"
        `);
    await queryRunner.query(`
            ALTER TABLE "calendar"."timers"
            ALTER COLUMN "payload"
            SET DEFAULT '{}'
        `);
    await queryRunner.query(`
            DROP INDEX "calendar"."event_registrations_event_entry_unique"
        `);
    await queryRunner.query(`
            DROP INDEX "calendar"."event_registrations_page_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "calendar"."event_registrations_email_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "calendar"."event_registrations"
        `);
    await queryRunner.query(`
            DROP INDEX "calendar"."crm_events_eventbrite_event_unique"
        `);
    await queryRunner.query(`
            DROP INDEX "calendar"."crm_events_org_page_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "calendar"."crm_events"
        `);
  }
}
