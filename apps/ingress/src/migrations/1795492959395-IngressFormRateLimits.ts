import { MigrationInterface, QueryRunner } from 'typeorm';

// Hits of the public form rate limit (per form and client IP, the last 60 seconds), shared by the replicas.
export class IngressFormRateLimits1795492959395 implements MigrationInterface {
  name = 'IngressFormRateLimits1795492959395';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "ingress"."form_rate_limit_hits" (
                "id" uuid NOT NULL,
                "form_id" uuid NOT NULL,
                "client_ip" text NOT NULL,
                "hit_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_b8d36137403b6a49b7b4b9ae7a3" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "form_rate_limit_hits_hit_at_idx" ON "ingress"."form_rate_limit_hits" ("hit_at")
        `);
    await queryRunner.query(`
            CREATE INDEX "form_rate_limit_hits_key_idx" ON "ingress"."form_rate_limit_hits" ("form_id", "client_ip", "hit_at")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "ingress"."form_rate_limit_hits_key_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "ingress"."form_rate_limit_hits_hit_at_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "ingress"."form_rate_limit_hits"
        `);
  }
}
