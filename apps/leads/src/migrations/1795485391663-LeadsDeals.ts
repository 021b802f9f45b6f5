import { MigrationInterface, QueryRunner } from 'typeorm';

export class LeadsDeals1795485391663 implements MigrationInterface {
  name = 'LeadsDeals1795485391663';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "leads"."pipelines" (
                "id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "name" text NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_e38ea171cdfad107c1f3db2c036" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "pipelines_org_page_idx" ON "leads"."pipelines" ("organization_id", "created_at", "id")
        `);
    await queryRunner.query(`
            CREATE TABLE "leads"."pipeline_stages" (
                "id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "pipeline_id" uuid NOT NULL,
                "name" text NOT NULL,
                "position" integer NOT NULL,
                CONSTRAINT "PK_92e43270eace072ad5182fc08e2" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "pipeline_stages_org_idx" ON "leads"."pipeline_stages" ("organization_id", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "pipeline_stages_pipeline_idx" ON "leads"."pipeline_stages" ("pipeline_id", "position")
        `);
    await queryRunner.query(`
            CREATE TABLE "leads"."deals" (
                "id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "entry_id" uuid NOT NULL,
                "pipeline_id" uuid NOT NULL,
                "stage_id" uuid NOT NULL,
                "title" text NOT NULL,
                "value" numeric,
                "currency" text,
                "status" text NOT NULL DEFAULT 'open',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "deals_status_check" CHECK (status IN ('open', 'won', 'lost')),
                CONSTRAINT "PK_8c66f03b250f613ff8615940b4b" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "deals_stage_idx" ON "leads"."deals" ("stage_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "deals_pipeline_page_idx" ON "leads"."deals" (
                "organization_id",
                "pipeline_id",
                "created_at",
                "id"
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "deals_entry_page_idx" ON "leads"."deals" (
                "organization_id",
                "entry_id",
                "created_at",
                "id"
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "deals_org_page_idx" ON "leads"."deals" ("organization_id", "created_at", "id")
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
    await queryRunner.query(`
            ALTER TABLE "leads"."pipeline_stages"
            ADD CONSTRAINT "FK_37b689c446ebe79ecd37e445735" FOREIGN KEY ("pipeline_id") REFERENCES "leads"."pipelines"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."deals"
            ADD CONSTRAINT "FK_5746849002b94ce9559aa9a90f8" FOREIGN KEY ("entry_id") REFERENCES "leads"."entries"("id") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."deals"
            ADD CONSTRAINT "FK_9e8ce2b9d84c7fb97105ce7f007" FOREIGN KEY ("pipeline_id") REFERENCES "leads"."pipelines"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."deals"
            ADD CONSTRAINT "FK_23f5265469e4b4daea988d91465" FOREIGN KEY ("stage_id") REFERENCES "leads"."pipeline_stages"("id") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "leads"."deals" DROP CONSTRAINT "FK_23f5265469e4b4daea988d91465"
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."deals" DROP CONSTRAINT "FK_9e8ce2b9d84c7fb97105ce7f007"
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."deals" DROP CONSTRAINT "FK_5746849002b94ce9559aa9a90f8"
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."pipeline_stages" DROP CONSTRAINT "FK_37b689c446ebe79ecd37e445735"
        `);
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
            DROP INDEX "leads"."deals_org_page_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "leads"."deals_entry_page_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "leads"."deals_pipeline_page_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "leads"."deals_stage_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "leads"."deals"
        `);
    await queryRunner.query(`
            DROP INDEX "leads"."pipeline_stages_pipeline_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "leads"."pipeline_stages_org_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "leads"."pipeline_stages"
        `);
    await queryRunner.query(`
            DROP INDEX "leads"."pipelines_org_page_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "leads"."pipelines"
        `);
  }
}
