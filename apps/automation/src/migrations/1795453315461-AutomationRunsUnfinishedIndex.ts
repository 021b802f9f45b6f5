import { MigrationInterface, QueryRunner } from 'typeorm';

export class AutomationRunsUnfinishedIndex1795453315461 implements MigrationInterface {
  name = 'AutomationRunsUnfinishedIndex1795453315461';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE INDEX "runs_unfinished_idx" ON "automation"."runs" ("started_at")
            WHERE status = 'running'
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "automation"."runs_unfinished_idx"
        `);
  }
}
