import type { MigrationInterface, QueryRunner } from 'typeorm';

// Human-in-the-loop tasks, and when a waiting step resumes.

export class AutomationWaitsAndTasks1795471228822 implements MigrationInterface {
  name = 'AutomationWaitsAndTasks1795471228822';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "automation"."tasks" (
                "id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "run_id" uuid NOT NULL,
                "step_index" integer NOT NULL,
                "automation_id" uuid NOT NULL,
                "entry_id" uuid,
                "title" text NOT NULL,
                "description" text,
                "assignee_id" uuid,
                "fields" jsonb NOT NULL DEFAULT '{}'::jsonb,
                "on_timeout" text NOT NULL DEFAULT 'fail',
                "status" text NOT NULL DEFAULT 'open',
                "due_at" TIMESTAMP WITH TIME ZONE,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "completed_at" TIMESTAMP WITH TIME ZONE,
                "output" jsonb,
                CONSTRAINT "PK_8d12ff38fcc62aaba2cab748772" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "tasks_entry_idx" ON "automation"."tasks" ("organization_id", "entry_id", "created_at")
        `);
    await queryRunner.query(`
            CREATE INDEX "tasks_run_idx" ON "automation"."tasks" ("run_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "tasks_list_idx" ON "automation"."tasks" ("organization_id", "status", "id")
        `);
    await queryRunner.query(`
            ALTER TABLE "automation"."run_steps"
            ADD "resume_at" TIMESTAMP WITH TIME ZONE
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "automation"."run_steps" DROP COLUMN "resume_at"
        `);
    await queryRunner.query(`
            DROP INDEX "automation"."tasks_list_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "automation"."tasks_run_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "automation"."tasks_entry_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "automation"."tasks"
        `);
  }
}
