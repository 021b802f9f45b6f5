import { describe, expect, it } from '@jest/globals';
import { migrationsRoundTrip } from '@rocketlead/testing';
import { INGRESS_SCHEMA } from '../src/database/entities';
import { ingressDatabase } from '../src/database/database.module';

describe('ingress migrations', () => {
  it('revert to an empty schema and apply again; the replaced form rate-limit table is gone', async () => {
    const trip = await migrationsRoundTrip(INGRESS_SCHEMA, (url) =>
      ingressDatabase.dataSource({ DATABASE_URL: url, DB_POOL_SIZE: 2 }),
    );
    expect(trip.problems).toEqual([]);
    expect(trip.tables).toContain('public_rate_limit_hits');
    expect(trip.tables).not.toContain('form_rate_limit_hits');
  }, 120_000);
});
