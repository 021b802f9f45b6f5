import type { MigrationInterface, QueryRunner } from 'typeorm';

// The event projection of the lead activity timeline: events about a lead, stored once by event id.

export class AutomationActivity1795471809389 implements MigrationInterface {
  name = 'AutomationActivity1795471809389';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "automation"."activity_events" (
                "id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "entry_id" uuid NOT NULL,
                "at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "type" text NOT NULL,
                "kind" text NOT NULL,
                "channel" text NOT NULL,
                "api_token_id" uuid,
                "member_id" text,
                "summary" text NOT NULL,
                "data" jsonb NOT NULL,
                CONSTRAINT "PK_f8e8d9dbf64f93f58ae52b4a9e4" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "activity_events_entry_idx" ON "automation"."activity_events" ("organization_id", "entry_id", "at", "id")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "automation"."activity_events_entry_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "automation"."activity_events"
        `);
  }
}
