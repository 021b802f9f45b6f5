import { describe, expect, it } from '@jest/globals';
import { migrationsRoundTrip } from '@rocketlead/testing';
import { LEADS_SCHEMA } from '../src/database/entities';
import { leadsDatabase } from '../src/database/database.module';

describe('leads migrations', () => {
  it('revert one by one to an empty schema and apply again to the same tables', async () => {
    const trip = await migrationsRoundTrip(LEADS_SCHEMA, (url) =>
      leadsDatabase.dataSource({ DATABASE_URL: url, DB_POOL_SIZE: 2 }),
    );
    expect(trip.problems).toEqual([]);
    expect(trip.tables.length).toBeGreaterThan(0);
  }, 120_000);
});
