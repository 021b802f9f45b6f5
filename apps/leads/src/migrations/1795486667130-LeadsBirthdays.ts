import { MigrationInterface, QueryRunner } from 'typeorm';

export class LeadsBirthdays1795486667130 implements MigrationInterface {
  name = 'LeadsBirthdays1795486667130';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "leads"."organization_settings" (
                "organization_id" uuid NOT NULL,
                "timezone" text NOT NULL DEFAULT 'UTC',
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_5fbdacce9bdcb454877d068e355" PRIMARY KEY ("organization_id")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "leads"."birthdays_emitted" (
                "entry_id" uuid NOT NULL,
                "year" integer NOT NULL,
                "organization_id" uuid NOT NULL,
                "date" date NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_553d8ed4ae3f3371f396d305c97" PRIMARY KEY ("entry_id", "year")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "birthdays_emitted_org_idx" ON "leads"."birthdays_emitted" ("organization_id", "year")
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."pools"
            ADD "birthday_field" text
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
            ALTER TABLE "leads"."pools" DROP COLUMN "birthday_field"
        `);
    await queryRunner.query(`
            DROP INDEX "leads"."birthdays_emitted_org_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "leads"."birthdays_emitted"
        `);
    await queryRunner.query(`
            DROP TABLE "leads"."organization_settings"
        `);
  }
}
