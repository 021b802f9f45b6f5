import { MigrationInterface, QueryRunner } from 'typeorm';

export class DeliveryInit1795462159979 implements MigrationInterface {
  name = 'DeliveryInit1795462159979';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "delivery"."webhook_endpoints" (
                "id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "url" text NOT NULL,
                "format" text NOT NULL,
                "event_types" jsonb NOT NULL DEFAULT '[]',
                "description" text,
                "timeout_ms" integer NOT NULL,
                "enabled" boolean NOT NULL,
                "disabled_reason" text,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_054c4cfb95223732f5939d2d546" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "webhook_endpoints_org_created" ON "delivery"."webhook_endpoints" ("organization_id", "created_at", "id")
        `);
    await queryRunner.query(`
            CREATE TABLE "delivery"."endpoint_secrets" (
                "id" uuid NOT NULL,
                "endpoint_id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "ciphertext" bytea NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "expires_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_2e3ff3d0e043000e7a5d93b9f44" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "endpoint_secrets_endpoint" ON "delivery"."endpoint_secrets" ("endpoint_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "delivery"."deliveries" (
                "id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "idempotency_key" text NOT NULL,
                "kind" text NOT NULL,
                "status" text NOT NULL,
                "event_type" text NOT NULL,
                "entry_id" uuid,
                "endpoint_id" uuid,
                "url" text,
                "format" text,
                "destination" text NOT NULL,
                "payload" jsonb NOT NULL,
                "run_id" uuid,
                "automation_id" uuid,
                "step_index" integer,
                "correlation_id" text NOT NULL,
                "causation_id" text,
                "depth" integer NOT NULL DEFAULT '0',
                "attempts" integer NOT NULL DEFAULT '0',
                "next_attempt_at" TIMESTAMP WITH TIME ZONE,
                "last_error" text,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "completed_at" TIMESTAMP WITH TIME ZONE,
                "provider_message_id" text,
                "opened_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_a6ef225c5c5f0974e503bfb731f" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "deliveries_provider_message" ON "delivery"."deliveries" ("provider_message_id")
            WHERE provider_message_id IS NOT NULL
        `);
    await queryRunner.query(`
            CREATE INDEX "deliveries_sms_destination" ON "delivery"."deliveries" ("destination", "created_at")
            WHERE kind = 'sms'
        `);
    await queryRunner.query(`
            CREATE INDEX "deliveries_org_entry" ON "delivery"."deliveries" (
                "organization_id",
                "entry_id",
                "created_at",
                "id"
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "deliveries_org_key" ON "delivery"."deliveries" ("organization_id", "idempotency_key")
        `);
    await queryRunner.query(`
            CREATE TABLE "delivery"."delivery_attempts" (
                "id" uuid NOT NULL,
                "delivery_id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "endpoint_id" uuid,
                "event_type" text NOT NULL,
                "attempted_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "duration_ms" integer NOT NULL,
                "status" text NOT NULL,
                "response_status" integer,
                "error" text,
                "response_body" text,
                "next_attempt_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_41eba4eb5401d72860f7cd9a7ac" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "delivery_attempts_org_endpoint" ON "delivery"."delivery_attempts" (
                "organization_id",
                "endpoint_id",
                "attempted_at",
                "id"
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "delivery_attempts_delivery" ON "delivery"."delivery_attempts" ("delivery_id", "attempted_at")
        `);
    await queryRunner.query(`
            CREATE TABLE "delivery"."email_suppressions" (
                "organization_id" uuid NOT NULL,
                "email" text NOT NULL,
                "delivery_id" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_d567d1a093bdba53cab07fe79fc" PRIMARY KEY ("organization_id", "email")
            )
        `);
    await queryRunner.query(`
            ALTER TABLE "delivery"."timers"
            ALTER COLUMN "payload"
            SET DEFAULT '{}'::jsonb
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "delivery"."timers"
            ALTER COLUMN "payload"
            SET DEFAULT '{}'
        `);
    await queryRunner.query(`
            DROP TABLE "delivery"."email_suppressions"
        `);
    await queryRunner.query(`
            DROP INDEX "delivery"."delivery_attempts_delivery"
        `);
    await queryRunner.query(`
            DROP INDEX "delivery"."delivery_attempts_org_endpoint"
        `);
    await queryRunner.query(`
            DROP TABLE "delivery"."delivery_attempts"
        `);
    await queryRunner.query(`
            DROP INDEX "delivery"."deliveries_org_key"
        `);
    await queryRunner.query(`
            DROP INDEX "delivery"."deliveries_org_entry"
        `);
    await queryRunner.query(`
            DROP INDEX "delivery"."deliveries_sms_destination"
        `);
    await queryRunner.query(`
            DROP INDEX "delivery"."deliveries_provider_message"
        `);
    await queryRunner.query(`
            DROP TABLE "delivery"."deliveries"
        `);
    await queryRunner.query(`
            DROP INDEX "delivery"."endpoint_secrets_endpoint"
        `);
    await queryRunner.query(`
            DROP TABLE "delivery"."endpoint_secrets"
        `);
    await queryRunner.query(`
            DROP INDEX "delivery"."webhook_endpoints_org_created"
        `);
    await queryRunner.query(`
            DROP TABLE "delivery"."webhook_endpoints"
        `);
  }
}
