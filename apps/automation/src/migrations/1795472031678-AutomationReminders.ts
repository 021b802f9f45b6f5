import type { MigrationInterface, QueryRunner } from 'typeorm';

// Appointment reminders (calendar.appointment.before / after): one per (automation, booking, offset).

export class AutomationReminders1795472031678 implements MigrationInterface {
  name = 'AutomationReminders1795472031678';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "automation"."reminders" (
                "automation_id" uuid NOT NULL,
                "booking_id" uuid NOT NULL,
                "offset" text NOT NULL,
                "organization_id" uuid NOT NULL,
                "calendar_id" uuid NOT NULL,
                "event_type" text NOT NULL,
                "due_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "booking_updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "state" text NOT NULL DEFAULT 'planned',
                "reason" text,
                "run_id" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_51358601da099ae6db60247576c" PRIMARY KEY ("automation_id", "booking_id", "offset")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "reminders_booking_idx" ON "automation"."reminders" ("organization_id", "booking_id")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "automation"."reminders_booking_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "automation"."reminders"
        `);
  }
}
