import { MigrationInterface, QueryRunner } from 'typeorm';

export class LeadsInit1795388567829 implements MigrationInterface {
  name = 'LeadsInit1795388567829';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "leads"."outbox" (
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
            CREATE INDEX "outbox_unpublished_idx" ON "leads"."outbox" ("id")
            WHERE published_at IS NULL
        `);
    await queryRunner.query(`
            CREATE TABLE "leads"."inbox" (
                "consumer" text NOT NULL,
                "event_id" uuid NOT NULL,
                "handled_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_625a303addbbe1f30d3f65ed7fe" PRIMARY KEY ("consumer", "event_id")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "leads"."pools" (
                "id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "name" text NOT NULL,
                "default_lead_state_id" uuid,
                "table_schema" jsonb NOT NULL DEFAULT '{}'::jsonb,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_6708c86fc389259de3ee43230ee" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "pools_org_idx" ON "leads"."pools" ("organization_id", "id")
        `);
    await queryRunner.query(`
            CREATE TABLE "leads"."lead_states" (
                "id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "table_id" uuid NOT NULL,
                "name" text NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_bf4f77f34bb2f842f9969f56869" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "lead_states_pool_idx" ON "leads"."lead_states" ("organization_id", "table_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "leads"."custom_fields" (
                "id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "name" text NOT NULL,
                "type" text NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_35ab958a0baec2e0b2b2b875fdb" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "custom_fields_org_name_key" ON "leads"."custom_fields" ("organization_id", "name")
        `);
    await queryRunner.query(`
            CREATE TABLE "leads"."entries" (
                "id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "table_id" uuid NOT NULL,
                "data" jsonb NOT NULL,
                "custom_field_data" jsonb NOT NULL DEFAULT '{}'::jsonb,
                "lead_state_id" uuid NOT NULL,
                "idempotency_key" text,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_23d4e7e9b58d9939f113832915b" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "entries_idempotency_key" ON "leads"."entries" ("organization_id", "idempotency_key")
            WHERE idempotency_key IS NOT NULL
        `);
    await queryRunner.query(`
            CREATE INDEX "entries_org_page_idx" ON "leads"."entries" ("organization_id", "created_at", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "entries_pool_page_idx" ON "leads"."entries" (
                "organization_id",
                "table_id",
                "created_at",
                "id"
            )
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."lead_states"
            ADD CONSTRAINT "FK_a8fd93449a29f2c55857f276975" FOREIGN KEY ("table_id") REFERENCES "leads"."pools"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."entries"
            ADD CONSTRAINT "FK_eda41e90da62195bb3e068a926b" FOREIGN KEY ("table_id") REFERENCES "leads"."pools"("id") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."entries"
            ADD CONSTRAINT "FK_4c2ecdfc114c40e0a37dbc1f83c" FOREIGN KEY ("lead_state_id") REFERENCES "leads"."lead_states"("id") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "leads"."entries" DROP CONSTRAINT "FK_4c2ecdfc114c40e0a37dbc1f83c"
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."entries" DROP CONSTRAINT "FK_eda41e90da62195bb3e068a926b"
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."lead_states" DROP CONSTRAINT "FK_a8fd93449a29f2c55857f276975"
        `);
    await queryRunner.query(`
            DROP INDEX "leads"."entries_pool_page_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "leads"."entries_org_page_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "leads"."entries_idempotency_key"
        `);
    await queryRunner.query(`
            DROP TABLE "leads"."entries"
        `);
    await queryRunner.query(`
            DROP INDEX "leads"."custom_fields_org_name_key"
        `);
    await queryRunner.query(`
            DROP TABLE "leads"."custom_fields"
        `);
    await queryRunner.query(`
            DROP INDEX "leads"."lead_states_pool_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "leads"."lead_states"
        `);
    await queryRunner.query(`
            DROP INDEX "leads"."pools_org_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "leads"."pools"
        `);
    await queryRunner.query(`
            DROP TABLE "leads"."inbox"
        `);
    await queryRunner.query(`
            DROP INDEX "leads"."outbox_unpublished_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "leads"."outbox"
        `);
  }
}
