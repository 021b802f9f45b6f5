import { MigrationInterface, QueryRunner } from 'typeorm';

export class IngressInit1795388759603 implements MigrationInterface {
  name = 'IngressInit1795388759603';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "ingress"."organizations" (
                "id" uuid NOT NULL,
                "name" text NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_6b031fcd0863e3f6b44230163f9" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "ingress"."api_tokens" (
                "id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "name" text NOT NULL,
                "scopes" text array NOT NULL,
                "token_hash" bytea NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "revoked_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "UQ_bbd687a104e1921e6702c6e3aad" UNIQUE ("token_hash"),
                CONSTRAINT "PK_c587455266b5fa8dace7194caac" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "api_tokens_org_idx" ON "ingress"."api_tokens" ("organization_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "ingress"."ingress_webhooks" (
                "id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "table_id" uuid NOT NULL,
                "name" text,
                "token_hash" bytea NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "rotated_at" TIMESTAMP WITH TIME ZONE,
                "deleted_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_d2950c5ab7fbb9d09cebd9fa76b" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ingress_webhooks_org_idx" ON "ingress"."ingress_webhooks" ("organization_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "ingress"."idempotency_keys" (
                "organization_id" uuid NOT NULL,
                "key" text NOT NULL,
                "request_hash" bytea NOT NULL,
                "reservation_id" uuid NOT NULL,
                "state" text NOT NULL,
                "response_status" integer,
                "response_body" jsonb,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "locked_until" TIMESTAMP WITH TIME ZONE NOT NULL,
                "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_fa1b697098c138245abc15cad73" PRIMARY KEY ("organization_id", "key")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "idempotency_keys_expiry_idx" ON "ingress"."idempotency_keys" ("expires_at")
        `);
    await queryRunner.query(`
            ALTER TABLE "ingress"."api_tokens"
            ADD CONSTRAINT "FK_82b1830617163ff0ea221d0b98b" FOREIGN KEY ("organization_id") REFERENCES "ingress"."organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "ingress"."ingress_webhooks"
            ADD CONSTRAINT "FK_0426f83aaaf98d231bf5f8e67d2" FOREIGN KEY ("organization_id") REFERENCES "ingress"."organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "ingress"."ingress_webhooks" DROP CONSTRAINT "FK_0426f83aaaf98d231bf5f8e67d2"
        `);
    await queryRunner.query(`
            ALTER TABLE "ingress"."api_tokens" DROP CONSTRAINT "FK_82b1830617163ff0ea221d0b98b"
        `);
    await queryRunner.query(`
            DROP INDEX "ingress"."idempotency_keys_expiry_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "ingress"."idempotency_keys"
        `);
    await queryRunner.query(`
            DROP INDEX "ingress"."ingress_webhooks_org_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "ingress"."ingress_webhooks"
        `);
    await queryRunner.query(`
            DROP INDEX "ingress"."api_tokens_org_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "ingress"."api_tokens"
        `);
    await queryRunner.query(`
            DROP TABLE "ingress"."organizations"
        `);
  }
}
