import { MigrationInterface, QueryRunner } from 'typeorm';

export class LeadsContacts1795481990997 implements MigrationInterface {
  name = 'LeadsContacts1795481990997';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "leads"."members" (
                "id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "name" text NOT NULL,
                "email" text NOT NULL,
                "email_key" text NOT NULL,
                "active" boolean NOT NULL DEFAULT true,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_28b53062261b996d9c99fa12404" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "members_org_page_idx" ON "leads"."members" ("organization_id", "created_at", "id")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "members_org_email_key" ON "leads"."members" ("organization_id", "email_key")
        `);
    await queryRunner.query(`
            CREATE TABLE "leads"."dedupe_keys" (
                "table_id" uuid NOT NULL,
                "key" text NOT NULL,
                "value" text NOT NULL,
                "organization_id" uuid NOT NULL,
                "entry_id" uuid NOT NULL,
                CONSTRAINT "PK_5856d961dad0f937166e3d89e2c" PRIMARY KEY ("table_id", "key", "value")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "dedupe_keys_entry_idx" ON "leads"."dedupe_keys" ("entry_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "leads"."entry_milestones" (
                "entry_id" uuid NOT NULL,
                "milestone" text NOT NULL,
                "organization_id" uuid NOT NULL,
                "lead_state_id" uuid NOT NULL,
                "reached_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_bb8666d936c33f1caa40334d250" PRIMARY KEY ("entry_id", "milestone")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "leads"."member_groups" (
                "id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "name" text NOT NULL,
                "next_turn" bigint NOT NULL DEFAULT '0',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_5ddf78b9b546f69a87a7dcd3823" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "member_groups_org_page_idx" ON "leads"."member_groups" ("organization_id", "created_at", "id")
        `);
    await queryRunner.query(`
            CREATE TABLE "leads"."member_group_members" (
                "group_id" uuid NOT NULL,
                "member_id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                CONSTRAINT "PK_3b1bea0c7bb0ea6900f5bcb3929" PRIMARY KEY ("group_id", "member_id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "member_group_members_member_idx" ON "leads"."member_group_members" ("organization_id", "member_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "leads"."tags" (
                "id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "name" text NOT NULL,
                "name_key" text NOT NULL,
                "color" text,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_e7dc17249a1148a1970748eda99" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "tags_org_page_idx" ON "leads"."tags" ("organization_id", "created_at", "id")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "tags_org_name_key" ON "leads"."tags" ("organization_id", "name_key")
        `);
    await queryRunner.query(`
            CREATE TABLE "leads"."entry_tags" (
                "entry_id" uuid NOT NULL,
                "tag_id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_dc66b508ca4918a0b65dcb76c91" PRIMARY KEY ("entry_id", "tag_id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "entry_tags_tag_idx" ON "leads"."entry_tags" ("organization_id", "tag_id", "entry_id")
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."pools"
            ADD "dedupe" jsonb
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."lead_states"
            ADD "milestone" text
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."entries"
            ADD "assigned_member_id" uuid
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."entries"
            ADD "duplicate_of_id" uuid
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."pools"
            ALTER COLUMN "table_schema"
            SET DEFAULT '{}'::jsonb
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."entries"
            ALTER COLUMN "custom_field_data"
            SET DEFAULT '{}'::jsonb
        `);
    await queryRunner.query(`
            CREATE INDEX "entries_duplicate_of_idx" ON "leads"."entries" (
                "organization_id",
                "duplicate_of_id",
                "created_at",
                "id"
            )
            WHERE duplicate_of_id IS NOT NULL
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."entries"
            ADD CONSTRAINT "FK_0e57710ba99b1963236ea12f56f" FOREIGN KEY ("assigned_member_id") REFERENCES "leads"."members"("id") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."dedupe_keys"
            ADD CONSTRAINT "FK_b9eab21a0791cdb480381ff8d40" FOREIGN KEY ("entry_id") REFERENCES "leads"."entries"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."entry_milestones"
            ADD CONSTRAINT "FK_d6f6b2aee38eae21efaf3db6ec4" FOREIGN KEY ("entry_id") REFERENCES "leads"."entries"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."member_group_members"
            ADD CONSTRAINT "FK_6fa7a32809df2b6936fea94d2d0" FOREIGN KEY ("group_id") REFERENCES "leads"."member_groups"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."member_group_members"
            ADD CONSTRAINT "FK_24d3264937269e7fb2c172e79b7" FOREIGN KEY ("member_id") REFERENCES "leads"."members"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."entry_tags"
            ADD CONSTRAINT "FK_1187b5d949fcb50a0f6077fec0e" FOREIGN KEY ("tag_id") REFERENCES "leads"."tags"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."entry_tags"
            ADD CONSTRAINT "FK_d73139f29938abf8ae4c92093ea" FOREIGN KEY ("entry_id") REFERENCES "leads"."entries"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "leads"."entry_tags" DROP CONSTRAINT "FK_d73139f29938abf8ae4c92093ea"
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."entry_tags" DROP CONSTRAINT "FK_1187b5d949fcb50a0f6077fec0e"
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."member_group_members" DROP CONSTRAINT "FK_24d3264937269e7fb2c172e79b7"
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."member_group_members" DROP CONSTRAINT "FK_6fa7a32809df2b6936fea94d2d0"
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."entry_milestones" DROP CONSTRAINT "FK_d6f6b2aee38eae21efaf3db6ec4"
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."dedupe_keys" DROP CONSTRAINT "FK_b9eab21a0791cdb480381ff8d40"
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."entries" DROP CONSTRAINT "FK_0e57710ba99b1963236ea12f56f"
        `);
    await queryRunner.query(`
            DROP INDEX "leads"."entries_duplicate_of_idx"
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."entries"
            ALTER COLUMN "custom_field_data"
            SET DEFAULT '{}'
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."pools"
            ALTER COLUMN "table_schema"
            SET DEFAULT '{}'
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."entries" DROP COLUMN "duplicate_of_id"
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."entries" DROP COLUMN "assigned_member_id"
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."lead_states" DROP COLUMN "milestone"
        `);
    await queryRunner.query(`
            ALTER TABLE "leads"."pools" DROP COLUMN "dedupe"
        `);
    await queryRunner.query(`
            DROP INDEX "leads"."entry_tags_tag_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "leads"."entry_tags"
        `);
    await queryRunner.query(`
            DROP INDEX "leads"."tags_org_name_key"
        `);
    await queryRunner.query(`
            DROP INDEX "leads"."tags_org_page_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "leads"."tags"
        `);
    await queryRunner.query(`
            DROP INDEX "leads"."member_group_members_member_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "leads"."member_group_members"
        `);
    await queryRunner.query(`
            DROP INDEX "leads"."member_groups_org_page_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "leads"."member_groups"
        `);
    await queryRunner.query(`
            DROP TABLE "leads"."entry_milestones"
        `);
    await queryRunner.query(`
            DROP INDEX "leads"."dedupe_keys_entry_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "leads"."dedupe_keys"
        `);
    await queryRunner.query(`
            DROP INDEX "leads"."members_org_email_key"
        `);
    await queryRunner.query(`
            DROP INDEX "leads"."members_org_page_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "leads"."members"
        `);
  }
}
