import { describe, expect, it } from '@jest/globals';
import { migrationsRoundTrip } from '@rocketlead/testing';
import { AUTOMATION_SCHEMA } from '../src/database/entities';
import { automationDatabase } from '../src/database/database.module';

describe('automation migrations', () => {
  it('revert one by one to an empty schema and apply again to the same tables', async () => {
    const trip = await migrationsRoundTrip(AUTOMATION_SCHEMA, (url) =>
      automationDatabase.dataSource({ DATABASE_URL: url, DB_POOL_SIZE: 2 }),
    );
    expect(trip.problems).toEqual([]);
    expect(trip.tables.length).toBeGreaterThan(0);
  }, 120_000);
});
