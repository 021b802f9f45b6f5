import { MigrationInterface, QueryRunner } from 'typeorm';

export class LeadsEntryFilters1795618876653 implements MigrationInterface {
  name = 'LeadsEntryFilters1795618876653';

  public async up(queryRunner: QueryRunner): Promise<void> {
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
    await queryRunner.query(`
            CREATE INDEX "entries_assignee_page_idx" ON "leads"."entries" (
                "organization_id",
                "assigned_member_id",
                "created_at",
                "id"
            )
            WHERE assigned_member_id IS NOT NULL
        `);
    await queryRunner.query(`
            CREATE INDEX "entries_state_page_idx" ON "leads"."entries" (
                "organization_id",
                "lead_state_id",
                "created_at",
                "id"
            )
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "leads"."entries_state_page_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "leads"."entries_assignee_page_idx"
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
            ALTER TABLE "leads"."timers"
            ALTER COLUMN "payload"
            SET DEFAULT '{}'
        `);
  }
}
