import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The outbox and inbox tables as a service migration creates them (see apps/leads migrations). */
export class MessagingTestInit1700000000000 implements MigrationInterface {
  name = 'MessagingTestInit1700000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "msgtest"."outbox" ("id" BIGSERIAL PRIMARY KEY, "event_id" uuid NOT NULL UNIQUE, "type" text NOT NULL,
      "payload" jsonb NOT NULL, "created_at" timestamptz NOT NULL DEFAULT now(), "published_at" timestamptz)`);
    await q.query(`CREATE TABLE "msgtest"."inbox" ("consumer" text NOT NULL, "event_id" uuid NOT NULL,
      "handled_at" timestamptz NOT NULL DEFAULT now(), PRIMARY KEY ("consumer", "event_id"))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE "msgtest"."inbox"');
    await q.query('DROP TABLE "msgtest"."outbox"');
  }
}
