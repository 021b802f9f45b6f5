import { MigrationInterface, QueryRunner } from 'typeorm';

export class LeadsAppliedUpdates1795451924851 implements MigrationInterface {
  name = 'LeadsAppliedUpdates1795451924851';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "leads"."applied_updates" (
                "organization_id" uuid NOT NULL,
                "idempotency_key" text NOT NULL,
                "entry_id" uuid NOT NULL,
                "applied_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_78bed5a7efc5e4d20a6d1678fbf" PRIMARY KEY ("organization_id", "idempotency_key")
            )
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP TABLE "leads"."applied_updates"
        `);
  }
}
