import { MigrationInterface, QueryRunner } from 'typeorm';

export class AutomationInit1795451656482 implements MigrationInterface {
  name = 'AutomationInit1795451656482';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "automation"."automations" (
                "id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "seq" BIGSERIAL NOT NULL,
                "name" text NOT NULL,
                "description" text,
                "trigger" jsonb NOT NULL,
                "actions" jsonb NOT NULL,
                "event_type" text NOT NULL,
                "status" text NOT NULL,
                "sandbox" boolean NOT NULL DEFAULT false,
                "version" integer NOT NULL DEFAULT '1',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "UQ_6c9449aac660796c03b592fbb6c" UNIQUE ("seq"),
                CONSTRAINT "PK_34c2cc382fc780ea36f7c478192" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "automations_org_seq_idx" ON "automation"."automations" ("organization_id", "seq")
        `);
    await queryRunner.query(`
            CREATE TABLE "automation"."automation_versions" (
                "automation_id" uuid NOT NULL,
                "version" integer NOT NULL,
                "organization_id" uuid NOT NULL,
                "name" text NOT NULL,
                "trigger" jsonb NOT NULL,
                "actions" jsonb NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_ffdd8638a3810d87ae2df0ad489" PRIMARY KEY ("automation_id", "version")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "automation"."runs" (
                "id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "automation_id" uuid NOT NULL,
                "automation_version" integer NOT NULL,
                "trigger_key" text NOT NULL,
                "status" text NOT NULL,
                "reason" text,
                "sandbox" boolean NOT NULL DEFAULT false,
                "dry_run" boolean NOT NULL DEFAULT false,
                "trigger_name" text,
                "entry_id" uuid,
                "correlation_id" text NOT NULL,
                "depth" integer NOT NULL DEFAULT '0',
                "context" jsonb NOT NULL,
                "snapshot" jsonb NOT NULL,
                "error" text,
                "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "finished_at" TIMESTAMP WITH TIME ZONE,
                "lease_until" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "runs_automation_trigger_key" UNIQUE ("automation_id", "trigger_key"),
                CONSTRAINT "PK_46d6a1e257c38ba58f1a3c30836" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "runs_entry_idx" ON "automation"."runs" ("organization_id", "entry_id", "status")
        `);
    await queryRunner.query(`
            CREATE INDEX "runs_chain_idx" ON "automation"."runs" ("automation_id", "entry_id", "correlation_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "runs_history_idx" ON "automation"."runs" (
                "organization_id",
                "automation_id",
                "started_at",
                "id"
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "automation"."run_steps" (
                "run_id" uuid NOT NULL,
                "index" integer NOT NULL,
                "action_id" text NOT NULL,
                "type" text NOT NULL,
                "params" jsonb NOT NULL,
                "status" text NOT NULL,
                "attempts" integer NOT NULL DEFAULT '0',
                "started_at" TIMESTAMP WITH TIME ZONE,
                "finished_at" TIMESTAMP WITH TIME ZONE,
                "output" jsonb,
                "error" text,
                "would_do" jsonb,
                CONSTRAINT "PK_b18357c2924871b09b17657ecc9" PRIMARY KEY ("run_id", "index")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "automation"."organization_settings" (
                "organization_id" uuid NOT NULL,
                "sandbox_enabled" boolean NOT NULL DEFAULT false,
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_5fbdacce9bdcb454877d068e355" PRIMARY KEY ("organization_id")
            )
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP TABLE "automation"."organization_settings"
        `);
    await queryRunner.query(`
            DROP TABLE "automation"."run_steps"
        `);
    await queryRunner.query(`
            DROP INDEX "automation"."runs_history_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "automation"."runs_chain_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "automation"."runs_entry_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "automation"."runs"
        `);
    await queryRunner.query(`
            DROP TABLE "automation"."automation_versions"
        `);
    await queryRunner.query(`
            DROP INDEX "automation"."automations_org_seq_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "automation"."automations"
        `);
  }
}
