import { MigrationInterface, QueryRunner } from 'typeorm';

// form_rate_limit_hits was replaced by public_rate_limit_hits (PublicRateLimits) and nothing has read or written
// it since, so dropping it loses nothing; `down` recreates it empty. Written by hand: TypeORM generates no drop
// for a table that no entity names.

export class DropFormRateLimitHits1795532883151 implements MigrationInterface {
  name = 'DropFormRateLimitHits1795532883151';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP TABLE IF EXISTS "ingress"."form_rate_limit_hits"
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
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
}
