import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { BirthdaySweepResult, LeadPool } from '@rocketlead/contracts';
import { eventually } from '@rocketlead/testing';
import { Api, E2E, created } from './support/platform';

// Birthdays against the running platform: the organization's time zone (ingress + leads), a pool's
// birthdayField, the sweep run now through POST /api/v1/sweeps/birthday, the table.entry.birthday events
// leads publishes, and the automations they run (`__birthday__` for every pool, or one pool) with the fixed
// trigger name. Birthdays are on dates away from today so the platform's own daily sweep never sees them.

interface RunSummary {
  id: string;
  status: string;
  triggerName: string | null;
  context: { entryId: string | null };
}

interface OrganizationBody {
  id: string;
  name: string;
  timezone: string;
  createdAt: string;
}

interface ErrorBody {
  errors?: { field: string; message: string }[];
}

const BIRTHDAY = 'table.entry.birthday';
const TRIGGER_NAME = "Contact's Birthday";

/** The local date in a time zone, `YYYY-MM-DD`. */
const localDate = (timeZone: string, at = new Date()): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    at,
  );

describe('birthdays (all services as processes)', () => {
  let e2e: E2E;

  const birthdayPool = async (admin: Api, birthdayField: string | null): Promise<string> => {
    const { poolId } = await e2e.pool(admin, { birthday: 'string', dob: 'string' });
    if (birthdayField === null) return poolId;
    const res = await admin.patch<LeadPool>(`/connect/lead_pools/${poolId}`, { birthdayField });
    expect(res).toMatchObject({ status: 200, body: { id: poolId, birthdayField } });
    return poolId;
  };
  const lead = async (admin: Api, tableId: string, data: Record<string, string>): Promise<string> =>
    (await created(admin.post<{ id: string }>('/connect/table_entries', { tableId, data }), 'lead')).id;
  const automation = async (admin: Api, name: string, triggerId: string): Promise<string> =>
    (
      await created(
        admin.post<{ id: string }>('/api/v1/automations', {
          name,
          status: 'active',
          trigger: { event: BIRTHDAY, triggerId },
          actions: [],
        }),
        'automation',
      )
    ).id;
  const sweep = async (admin: Api, body: Record<string, unknown>): Promise<BirthdaySweepResult> => {
    const res = await admin.post<BirthdaySweepResult>('/api/v1/sweeps/birthday', body);
    if (res.status !== 200) throw new Error(`sweep: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const runs = async (admin: Api, automationId: string): Promise<RunSummary[]> => {
    const res = await admin.get<{ items: RunSummary[] }>(
      `/api/v1/automations/${automationId}/runs?limit=100`,
    );
    expect(res.status).toBe(200);
    return res.body.items;
  };
  const finishedRuns = (admin: Api, automationId: string, count: number): Promise<RunSummary[]> =>
    eventually(
      async () => {
        const items = (await runs(admin, automationId)).filter((r) => r.status !== 'running');
        return items.length >= count ? items : undefined;
      },
      { timeoutMs: 60_000, message: `${count} finished run(s) of ${automationId}` },
    );
  /** The birthday events of the entries, as [entryId, date], in stream order. */
  const birthdays = (entryIds: string[]): [unknown, unknown][] =>
    e2e.events
      .ofType(BIRTHDAY)
      .filter((e) => entryIds.includes(String(e.body.data.entryId)))
      .map((e) => [e.body.data.entryId, e.body.data.date]);

  beforeAll(async () => {
    e2e = await E2E.start();
  }, 180_000);

  afterAll(async () => {
    await e2e?.stop();
  }, 120_000);

  it('GET/PATCH /connect/organization: UTC by default, an IANA zone set by admin, a bad zone refused', async () => {
    const { organizationId, admin } = await e2e.organization('Zones');
    const { api: reader } = await e2e.token(admin, ['read']);

    const initial = await reader.get<OrganizationBody>('/connect/organization');
    expect(initial).toMatchObject({
      status: 200,
      body: { id: organizationId, name: 'Zones', timezone: 'UTC' },
    });
    expect(Number.isNaN(Date.parse(initial.body.createdAt))).toBe(false);

    const patched = await admin.patch<OrganizationBody>('/connect/organization', {
      timezone: 'Europe/Berlin',
    });
    expect(patched).toMatchObject({
      status: 200,
      body: { id: organizationId, name: 'Zones', timezone: 'Europe/Berlin' },
    });
    expect(patched.body.createdAt).toBe(initial.body.createdAt);
    expect((await reader.get<OrganizationBody>('/connect/organization')).body.timezone).toBe('Europe/Berlin');

    const bad = await admin.patch<ErrorBody>('/connect/organization', { timezone: 'Mars/Olympus_Mons' });
    expect(bad.status).toBe(400);
    expect((bad.body.errors ?? []).map((e) => e.field)).toEqual(['timezone']);
    expect((await reader.get<OrganizationBody>('/connect/organization')).body.timezone).toBe('Europe/Berlin');

    // A read token reads the organization but neither changes it nor sweeps.
    expect((await reader.patch('/connect/organization', { timezone: 'UTC' })).status).toBe(403);
    expect((await reader.post('/api/v1/sweeps/birthday', { date: '2027-06-15' })).status).toBe(403);
    // Another organization keeps its own default.
    const { admin: other } = await e2e.organization('Elsewhere');
    expect((await other.get<OrganizationBody>('/connect/organization')).body.timezone).toBe('UTC');
  });

  it('refuses a bad sweep date with 400 naming date', async () => {
    const { admin } = await e2e.organization('Bad dates');
    for (const date of ['tomorrow', '2027-6-15', '2027-02-30', '2027-13-01']) {
      const res = await admin.post<ErrorBody>('/api/v1/sweeps/birthday', { date });
      expect([date, res.status]).toEqual([date, 400]);
      expect([date, (res.body.errors ?? []).map((e) => e.field)]).toEqual([date, ['date']]);
    }
  });

  it("sweeps the organization's local today in its time zone when no date is given", async () => {
    // 25 hours apart: their local dates always differ.
    const zones = ['Pacific/Kiritimati', 'Pacific/Pago_Pago'];
    for (const timezone of zones) {
      const { admin } = await e2e.organization(timezone);
      expect((await admin.patch('/connect/organization', { timezone })).status).toBe(200);
      const before = localDate(timezone);
      const { date } = await sweep(admin, {});
      // A sweep across local midnight may see either day.
      expect([before, localDate(timezone)]).toContain(date);
    }
  });

  it('runs __birthday__ and pool-scoped automations once per lead whose birthday it is, named "Contact\'s Birthday"', async () => {
    const { admin } = await e2e.organization('Birthdays');
    expect((await admin.patch('/connect/organization', { timezone: 'Pacific/Auckland' })).status).toBe(200);
    const friends = await birthdayPool(admin, 'birthday');
    const family = await birthdayPool(admin, 'dob');
    const noField = await birthdayPool(admin, null);

    const alice = await lead(admin, friends, { birthday: '1990-06-15' });
    const bob = await lead(admin, friends, { birthday: '06-15' });
    const carol = await lead(admin, friends, { birthday: '1985-07-01' });
    const dave = await lead(admin, friends, { birthday: 'soon' });
    const erin = await lead(admin, family, { dob: '06-15' });
    // The other pool's key, and a pool with no birthdayField: not birthdays.
    const frank = await lead(admin, family, { birthday: '06-15' });
    const grace = await lead(admin, noField, { birthday: '06-15' });
    const everyone = [alice, bob, carol, dave, erin, frank, grace];

    const anyPool = await automation(admin, 'Every pool', '__birthday__');
    const friendsOnly = await automation(admin, 'Friends', friends);

    expect(await sweep(admin, { date: '2027-06-15' })).toEqual({ date: '2027-06-15', emitted: 3 });
    const any = await finishedRuns(admin, anyPool, 3);
    expect(any.map((r) => r.context.entryId).sort()).toEqual([alice, bob, erin].sort());
    expect(any.map((r) => [r.status, r.triggerName])).toEqual(
      Array.from({ length: 3 }, () => ['completed', TRIGGER_NAME]),
    );
    const scoped = await finishedRuns(admin, friendsOnly, 2);
    expect(scoped.map((r) => r.context.entryId).sort()).toEqual([alice, bob].sort());
    expect(scoped.map((r) => r.triggerName)).toEqual([TRIGGER_NAME, TRIGGER_NAME]);
    const [event] = await e2e.events.waitFor((e) => e.body.type === BIRTHDAY && e.body.data.entryId === erin);
    expect(event!.body.data).toEqual({ entryId: erin, tableId: family, date: '2027-06-15' });

    // Once per lead and year: sweeping the day again emits nothing. Carol's day comes after in the stream,
    // so once hers is there, a second one for the others would be too.
    expect(await sweep(admin, { date: '2027-06-15' })).toEqual({ date: '2027-06-15', emitted: 0 });
    expect(await sweep(admin, { date: '2027-07-01' })).toEqual({ date: '2027-07-01', emitted: 1 });
    await e2e.events.waitFor((e) => e.body.type === BIRTHDAY && e.body.data.entryId === carol);
    expect(birthdays(everyone).sort()).toEqual(
      [
        [alice, '2027-06-15'],
        [bob, '2027-06-15'],
        [erin, '2027-06-15'],
        [carol, '2027-07-01'],
      ].sort(),
    );
    const all = await finishedRuns(admin, anyPool, 4);
    expect(all).toHaveLength(4);
    expect((await finishedRuns(admin, friendsOnly, 3)).map((r) => r.context.entryId).sort()).toEqual(
      [alice, bob, carol].sort(),
    );

    // The next year is another birthday.
    expect(await sweep(admin, { date: '2028-06-15' })).toEqual({ date: '2028-06-15', emitted: 3 });
  });

  it('celebrates Feb 29 on Feb 28 in non-leap years and on Feb 29 in leap years, once a year', async () => {
    const { admin } = await e2e.organization('Leap');
    expect((await admin.patch('/connect/organization', { timezone: 'America/Los_Angeles' })).status).toBe(
      200,
    );
    const pool = await birthdayPool(admin, 'birthday');
    const leapling = await lead(admin, pool, { birthday: '2000-02-29' });
    const feb28 = await lead(admin, pool, { birthday: '02-28' });
    const mar1 = await lead(admin, pool, { birthday: '03-01' });
    const anyPool = await automation(admin, 'Every pool', '__birthday__');

    expect(await sweep(admin, { date: '2027-02-28' })).toEqual({ date: '2027-02-28', emitted: 2 });
    // Not again on Mar 1: the leapling's 2027 birthday is past; only Mar 1's own lead.
    expect(await sweep(admin, { date: '2027-03-01' })).toEqual({ date: '2027-03-01', emitted: 1 });
    // 2028 is a leap year: Feb 28 is the Feb 28 lead's only, Feb 29 the leapling's.
    expect(await sweep(admin, { date: '2028-02-28' })).toEqual({ date: '2028-02-28', emitted: 1 });
    expect(await sweep(admin, { date: '2028-02-29' })).toEqual({ date: '2028-02-29', emitted: 1 });
    expect(await sweep(admin, { date: '2028-02-29' })).toEqual({ date: '2028-02-29', emitted: 0 });

    await e2e.events.waitFor((e) => e.body.type === BIRTHDAY && e.body.data.date === '2028-02-29');
    expect(birthdays([leapling, feb28, mar1]).sort()).toEqual(
      [
        [leapling, '2027-02-28'],
        [feb28, '2027-02-28'],
        [mar1, '2027-03-01'],
        [feb28, '2028-02-28'],
        [leapling, '2028-02-29'],
      ].sort(),
    );
    const leaplingRuns = (await finishedRuns(admin, anyPool, 5)).filter(
      (r) => r.context.entryId === leapling,
    );
    expect(leaplingRuns.map((r) => [r.status, r.triggerName])).toEqual([
      ['completed', TRIGGER_NAME],
      ['completed', TRIGGER_NAME],
    ]);
  });
});
