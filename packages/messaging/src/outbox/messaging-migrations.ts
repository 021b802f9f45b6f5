import type { MigrationInterface, QueryRunner } from 'typeorm';
import { InboxEntity } from '../inbox/inbox.entity';
import { OutboxDeadLetterEntity } from './outbox-dead-letter.entity';
import { OutboxEntity } from './outbox.entity';

/** The entities of the tables `messagingMigrations` makes: list them in a service's entities. */
export const MESSAGING_ENTITIES = [OutboxEntity, InboxEntity, OutboxDeadLetterEntity];

/** A migration class as TypeORM's `migrations` option takes it. */
export type MigrationClass = new () => MigrationInterface;

// Marks objects this package created, so a `down` removes only what its `up` made: leads and calendar
// created outbox/inbox in their own first migrations, which stay their owners.
const CREATED_HERE = 'created by @rocketlead/messaging';

async function exists(q: QueryRunner, qualified: string): Promise<boolean> {
  const rows = (await q.query('SELECT to_regclass($1) IS NOT NULL AS present', [qualified])) as {
    present: boolean;
  }[];
  return rows[0]?.present === true;
}

async function createdHere(q: QueryRunner, qualified: string): Promise<boolean> {
  const rows = (await q.query(`SELECT obj_description(to_regclass($1), 'pg_class') AS note`, [
    qualified,
  ])) as { note: string | null }[];
  return rows[0]?.note === CREATED_HERE;
}

/**
 * The outbox and inbox tables of a service's schema, plus what the relay and retention need. Register them in
 * the service's migration list after its own first migration (timestamps are fixed here, so they sort after
 * the migrations of the services that existed before them):
 *
 *     export const MY_MIGRATIONS = [MyInit1795…, ...messagingMigrations(MY_SCHEMA)];
 *
 * A service that never had the tables gets them from here; one whose first migration made them keeps them.
 */
export function messagingMigrations(schema: string): MigrationClass[] {
  const s = `"${schema}"`;

  class MessagingTables1795431200000 implements MigrationInterface {
    name = 'MessagingTables1795431200000';

    async up(q: QueryRunner): Promise<void> {
      if (!(await exists(q, `${s}."outbox"`))) {
        await q.query(`CREATE TABLE ${s}."outbox" (
          "id" BIGSERIAL NOT NULL,
          "event_id" uuid NOT NULL,
          "type" text NOT NULL,
          "payload" jsonb NOT NULL,
          "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
          "published_at" TIMESTAMP WITH TIME ZONE,
          CONSTRAINT "UQ_cc0c9e40998e45ecfc5e313429d" UNIQUE ("event_id"),
          CONSTRAINT "PK_340ab539f309f03bdaa14aa7649" PRIMARY KEY ("id"))`);
        await q.query(
          `CREATE INDEX "outbox_unpublished_idx" ON ${s}."outbox" ("id") WHERE published_at IS NULL`,
        );
        // The note sits on the index: TypeORM compares table comments with entities, not index comments.
        await q.query(`COMMENT ON INDEX ${s}."outbox_unpublished_idx" IS '${CREATED_HERE}'`);
      }
      if (!(await exists(q, `${s}."inbox"`))) {
        await q.query(`CREATE TABLE ${s}."inbox" (
          "consumer" text NOT NULL,
          "event_id" uuid NOT NULL,
          "handled_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
          CONSTRAINT "PK_625a303addbbe1f30d3f65ed7fe" PRIMARY KEY ("consumer", "event_id"))`);
        await q.query(`COMMENT ON INDEX ${s}."PK_625a303addbbe1f30d3f65ed7fe" IS '${CREATED_HERE}'`);
      }
    }

    async down(q: QueryRunner): Promise<void> {
      if (await createdHere(q, `${s}."PK_625a303addbbe1f30d3f65ed7fe"`))
        await q.query(`DROP TABLE ${s}."inbox"`);
      if (await createdHere(q, `${s}."outbox_unpublished_idx"`)) await q.query(`DROP TABLE ${s}."outbox"`);
    }
  }

  class MessagingDeadLetters1795431300000 implements MigrationInterface {
    name = 'MessagingDeadLetters1795431300000';

    async up(q: QueryRunner): Promise<void> {
      await q.query(`ALTER TABLE ${s}."outbox" ADD "attempts" integer NOT NULL DEFAULT '0'`);
      await q.query(`ALTER TABLE ${s}."outbox" ADD "last_error" text`);
      await q.query(`ALTER TABLE ${s}."outbox" ADD "next_attempt_at" TIMESTAMP WITH TIME ZONE`);
      await q.query(`CREATE TABLE ${s}."outbox_dead_letter" (
        "id" bigint NOT NULL,
        "event_id" uuid NOT NULL,
        "type" text NOT NULL,
        "organization_id" text,
        "payload" jsonb NOT NULL,
        "attempts" integer NOT NULL,
        "reason" text NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "dead_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "UQ_outbox_dead_letter_event_id" UNIQUE ("event_id"),
        CONSTRAINT "PK_outbox_dead_letter" PRIMARY KEY ("id"))`);
      await q.query(`CREATE INDEX "outbox_dead_letter_dead_at_idx" ON ${s}."outbox_dead_letter" ("dead_at")`);
      await q.query(`CREATE INDEX "inbox_handled_at_idx" ON ${s}."inbox" ("handled_at")`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP INDEX ${s}."inbox_handled_at_idx"`);
      await q.query(`DROP TABLE ${s}."outbox_dead_letter"`);
      await q.query(`ALTER TABLE ${s}."outbox" DROP COLUMN "next_attempt_at"`);
      await q.query(`ALTER TABLE ${s}."outbox" DROP COLUMN "last_error"`);
      await q.query(`ALTER TABLE ${s}."outbox" DROP COLUMN "attempts"`);
    }
  }

  return [MessagingTables1795431200000, MessagingDeadLetters1795431300000];
}
