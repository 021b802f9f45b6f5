import { MigrationInterface, QueryRunner } from 'typeorm';

// Hits of the public rate limits (form submissions, event RSVPs) per scope, subject and client IP; they replace
// form_rate_limit_hits, whose hits (at most a minute old) are not carried over.

export class PublicRateLimits1795502414475 implements MigrationInterface {
  name = 'PublicRateLimits1795502414475';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "ingress"."public_rate_limit_hits" (
                "id" uuid NOT NULL,
                "scope" text NOT NULL,
                "subject_id" uuid NOT NULL,
                "client_ip" text NOT NULL,
                "hit_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_ca4176bf5c730a2d9c37d4cee6f" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "public_rate_limit_hits_hit_at_idx" ON "ingress"."public_rate_limit_hits" ("hit_at")
        `);
    await queryRunner.query(`
            CREATE INDEX "public_rate_limit_hits_key_idx" ON "ingress"."public_rate_limit_hits" ("scope", "subject_id", "client_ip", "hit_at")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "ingress"."public_rate_limit_hits_key_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "ingress"."public_rate_limit_hits_hit_at_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "ingress"."public_rate_limit_hits"
        `);
  }
}
