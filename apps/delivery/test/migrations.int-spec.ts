import { describe, expect, it } from '@jest/globals';
import { migrationsRoundTrip } from '@rocketlead/testing';
import { DELIVERY_SCHEMA } from '../src/database/entities';
import { deliveryDatabase } from '../src/database/database.module';

describe('delivery migrations', () => {
  it('revert one by one to an empty schema and apply again to the same tables', async () => {
    const trip = await migrationsRoundTrip(DELIVERY_SCHEMA, (url) =>
      deliveryDatabase.dataSource({ DATABASE_URL: url, DB_POOL_SIZE: 2 }),
    );
    expect(trip.problems).toEqual([]);
    expect(trip.tables.length).toBeGreaterThan(0);
  }, 120_000);
});
