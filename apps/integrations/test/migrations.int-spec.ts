import { describe, expect, it } from '@jest/globals';
import { migrationsRoundTrip } from '@rocketlead/testing';
import { INTEGRATIONS_SCHEMA } from '../src/database/entities';
import { integrationsDatabase } from '../src/database/database.module';

describe('integrations migrations', () => {
  it('revert one by one to an empty schema and apply again to the same tables', async () => {
    const trip = await migrationsRoundTrip(INTEGRATIONS_SCHEMA, (url) =>
      integrationsDatabase.dataSource({ DATABASE_URL: url, DB_POOL_SIZE: 2 }),
    );
    expect(trip.problems).toEqual([]);
    expect(trip.tables.length).toBeGreaterThan(0);
  }, 120_000);
});
