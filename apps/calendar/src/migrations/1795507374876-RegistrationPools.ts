import { MigrationInterface, QueryRunner } from 'typeorm';

export class RegistrationPools1795507374876 implements MigrationInterface {
  name = 'RegistrationPools1795507374876';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "calendar"."event_registrations"
            ADD "table_id" uuid
        `);
    await queryRunner.query(`
            ALTER TABLE "calendar"."timers"
            ALTER COLUMN "payload"
            SET DEFAULT '{}'::jsonb
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "calendar"."timers"
            ALTER COLUMN "payload"
            SET DEFAULT '{}'
        `);
    await queryRunner.query(`
            ALTER TABLE "calendar"."event_registrations" DROP COLUMN "table_id"
        `);
  }
}
