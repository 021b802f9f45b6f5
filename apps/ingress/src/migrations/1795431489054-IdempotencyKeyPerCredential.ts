import { MigrationInterface, QueryRunner } from 'typeorm';

// Idempotency keys belong to the credential (API token or ingress webhook) that sent them. Keys recorded
// before this migration have no known credential: they get the nil UUID, match no request, and expire.
export class IdempotencyKeyPerCredential1795431489054 implements MigrationInterface {
  name = 'IdempotencyKeyPerCredential1795431489054';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "ingress"."idempotency_keys"
            ADD "credential_id" uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000'
        `);
    await queryRunner.query(`
            ALTER TABLE "ingress"."idempotency_keys" ALTER COLUMN "credential_id" DROP DEFAULT
        `);
    await queryRunner.query(`
            ALTER TABLE "ingress"."idempotency_keys" DROP CONSTRAINT "PK_fa1b697098c138245abc15cad73"
        `);
    await queryRunner.query(`
            ALTER TABLE "ingress"."idempotency_keys"
            ADD CONSTRAINT "PK_45d0362f2f1c0907db32461b5bb" PRIMARY KEY ("organization_id", "key", "credential_id")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "ingress"."idempotency_keys" DROP CONSTRAINT "PK_45d0362f2f1c0907db32461b5bb"
        `);
    // One key per organization again: of keys two credentials share, one is kept.
    await queryRunner.query(`
            DELETE FROM "ingress"."idempotency_keys" a USING "ingress"."idempotency_keys" b
            WHERE a.organization_id = b.organization_id AND a.key = b.key AND a.credential_id > b.credential_id
        `);
    await queryRunner.query(`
            ALTER TABLE "ingress"."idempotency_keys"
            ADD CONSTRAINT "PK_fa1b697098c138245abc15cad73" PRIMARY KEY ("organization_id", "key")
        `);
    await queryRunner.query(`
            ALTER TABLE "ingress"."idempotency_keys" DROP COLUMN "credential_id"
        `);
  }
}
