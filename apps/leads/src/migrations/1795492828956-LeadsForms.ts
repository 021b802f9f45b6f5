import { MigrationInterface, QueryRunner } from 'typeorm';

export class LeadsForms1795492828956 implements MigrationInterface {
  name = 'LeadsForms1795492828956';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "leads"."forms" (
                "id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "name" text NOT NULL,
                "table_id" uuid NOT NULL,
                "fields" jsonb NOT NULL,
                "dedupe_key" text NOT NULL,
                "double_opt_in" boolean NOT NULL,
                "booking_calendar_id" uuid,
                "redirect_url" text,
                "webhook_url" text,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_ba062fd30b06814a60756f233da" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "forms_org_page_idx" ON "leads"."forms" ("organization_id", "created_at", "id")
        `);
    await queryRunner.query(`
            CREATE TABLE "leads"."form_submissions" (
                "id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "form_id" uuid NOT NULL,
                "entry_id" uuid NOT NULL,
                "data" jsonb NOT NULL,
                "booking_start" text,
                "token_hash" text NOT NULL,
                "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "used_at" TIMESTAMP WITH TIME ZONE,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_fb6e1e9f26cda31c358a8a1530e" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "form_submissions_expiry_idx" ON "leads"."form_submissions" ("expires_at")
        `);
    await queryRunner.query(`
            CREATE INDEX "form_submissions_form_idx" ON "leads"."form_submissions" ("form_id")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "form_submissions_token_key" ON "leads"."form_submissions" ("token_hash")
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."timers"
            ALTER COLUMN "payload"
            SET DEFAULT '{}'::jsonb
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."pools"
            ALTER COLUMN "table_schema"
            SET DEFAULT '{}'::jsonb
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."entries"
            ALTER COLUMN "custom_field_data"
            SET DEFAULT '{}'::jsonb
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "leads"."entries"
            ALTER COLUMN "custom_field_data"
            SET DEFAULT '{}'
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."pools"
            ALTER COLUMN "table_schema"
            SET DEFAULT '{}'
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."timers"
            ALTER COLUMN "payload"
            SET DEFAULT '{}'
        `);
    await queryRunner.query(`
            DROP INDEX "leads"."form_submissions_token_key"
        `);
    await queryRunner.query(`
            DROP INDEX "leads"."form_submissions_form_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "leads"."form_submissions_expiry_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "leads"."form_submissions"
        `);
    await queryRunner.query(`
            DROP INDEX "leads"."forms_org_page_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "leads"."forms"
        `);
  }
}
