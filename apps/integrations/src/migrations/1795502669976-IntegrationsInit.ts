import { MigrationInterface, QueryRunner } from 'typeorm';

export class IntegrationsInit1795502669976 implements MigrationInterface {
  name = 'IntegrationsInit1795502669976';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "integrations"."connections" (
                "id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "provider" text NOT NULL,
                "table_id" uuid NOT NULL,
                "secrets" bytea NOT NULL,
                "has_api_key" boolean NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_0a1f844af3122354cbd487a8d03" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "connections_org_created" ON "integrations"."connections" ("organization_id", "created_at", "id")
        `);
    await queryRunner.query(`
            CREATE TABLE "integrations"."products" (
                "id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "name" text NOT NULL,
                "stripe_product_id" text,
                "stripe_price_id" text,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_0806c755e0aca124e67c0cf6d7d" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "products_org_stripe_product" ON "integrations"."products" ("organization_id", "stripe_product_id")
            WHERE stripe_product_id IS NOT NULL
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "products_org_price_key" ON "integrations"."products" ("organization_id", "stripe_price_id")
            WHERE stripe_price_id IS NOT NULL
        `);
    await queryRunner.query(`
            CREATE INDEX "products_org_created" ON "integrations"."products" ("organization_id", "created_at", "id")
        `);
    await queryRunner.query(`
            CREATE TABLE "integrations"."purchases" (
                "id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "connection_id" uuid NOT NULL,
                "product_id" uuid NOT NULL,
                "entry_id" uuid NOT NULL,
                "stripe_session_id" text NOT NULL,
                "stripe_event_id" text NOT NULL,
                "amount_total" bigint,
                "currency" text,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_1d55032f37a34c6eceacbbca6b8" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "purchases_org_product" ON "integrations"."purchases" ("organization_id", "product_id")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "purchases_session_product_key" ON "integrations"."purchases" (
                "organization_id",
                "stripe_session_id",
                "product_id"
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "integrations"."inbound_webhooks" (
                "id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "connection_id" uuid NOT NULL,
                "provider" text NOT NULL,
                "external_id" text NOT NULL,
                "event_type" text NOT NULL,
                "payload" text NOT NULL,
                "status" text NOT NULL,
                "attempts" integer NOT NULL DEFAULT '0',
                "error" text,
                "next_attempt_at" TIMESTAMP WITH TIME ZONE,
                "received_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "processed_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_25bf061a0a634a08516ba76e3d9" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "inbound_webhooks_stripe_event_key" ON "integrations"."inbound_webhooks" ("connection_id", "external_id")
            WHERE provider = 'stripe'
        `);
    await queryRunner.query(`
            CREATE INDEX "inbound_webhooks_connection_received" ON "integrations"."inbound_webhooks" (
                "organization_id",
                "connection_id",
                "received_at",
                "id"
            )
        `);
    await queryRunner.query(`
            ALTER TABLE "integrations"."timers"
            ALTER COLUMN "payload"
            SET DEFAULT '{}'::jsonb
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "integrations"."timers"
            ALTER COLUMN "payload"
            SET DEFAULT '{}'
        `);
    await queryRunner.query(`
            DROP INDEX "integrations"."inbound_webhooks_connection_received"
        `);
    await queryRunner.query(`
            DROP INDEX "integrations"."inbound_webhooks_stripe_event_key"
        `);
    await queryRunner.query(`
            DROP TABLE "integrations"."inbound_webhooks"
        `);
    await queryRunner.query(`
            DROP INDEX "integrations"."purchases_session_product_key"
        `);
    await queryRunner.query(`
            DROP INDEX "integrations"."purchases_org_product"
        `);
    await queryRunner.query(`
            DROP TABLE "integrations"."purchases"
        `);
    await queryRunner.query(`
            DROP INDEX "integrations"."products_org_created"
        `);
    await queryRunner.query(`
            DROP INDEX "integrations"."products_org_price_key"
        `);
    await queryRunner.query(`
            DROP INDEX "integrations"."products_org_stripe_product"
        `);
    await queryRunner.query(`
            DROP TABLE "integrations"."products"
        `);
    await queryRunner.query(`
            DROP INDEX "integrations"."connections_org_created"
        `);
    await queryRunner.query(`
            DROP TABLE "integrations"."connections"
        `);
  }
}
