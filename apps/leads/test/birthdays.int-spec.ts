import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import {
  COMMANDS,
  DomainError,
  TABLE_ENTRY_BIRTHDAY,
  uuidv7,
  type Actor,
  type EntryData,
  type LeadPool,
} from '@rocketlead/contracts';
import {
  commandSender,
  eventually,
  failure,
  type CommandSender,
  type EventCollector,
} from '@rocketlead/testing';
import { birthdayTimerKey } from '../src/birthdays/birthday-timers';
import { startLeads, type LeadsUnderTest } from './support';

const fields = (error: DomainError): string[] =>
  ((error.details?.errors ?? []) as { field: string }[]).map((e) => e.field);

/** The wall clock of `zone` at `at`, computed here with Intl (independently of the service's code). */
function clockIn(at: Date, zone: string): { date: string; time: string } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(at);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return { date: `${get('year')}-${get('month')}-${get('day')}`, time: `${get('hour')}:${get('minute')}` };
}

const DAY_MS = 24 * 60 * 60 * 1000;

interface TimerRow {
  due_at: Date;
  state: string;
  payload: { organizationId: string; date: string };
}

describe('leads birthdays: sweep once per entry and year, local dates, daily timer (real Postgres and NATS)', () => {
  let leads: LeadsUnderTest;
  let send: CommandSender;
  let events: EventCollector;
  let db: DataSource;

  /** A fresh organization (optionally in `timezone`) with a pool whose birthdayField is `birthday`. */
  async function organization(timezone?: string): Promise<{ org: string; actor: Actor; pool: LeadPool }> {
    const org = uuidv7();
    const actor: Actor = {
      organizationId: org,
      channel: 'connect_api',
      apiTokenId: uuidv7(),
      memberId: null,
      correlationId: 'birthdays',
      traceparent: null,
    };
    if (timezone) await send(COMMANDS.organizationSettingsUpdate, { organizationId: org, timezone });
    const created = await send(COMMANDS.poolsCreate, { organizationId: org, name: 'Contacts' });
    await send(COMMANDS.leadStatesCreate, {
      organizationId: org,
      tableId: created.id,
      name: 'New',
      isDefault: true,
    });
    const pool = await send(COMMANDS.poolsUpdate, {
      organizationId: org,
      id: created.id,
      birthdayField: 'birthday',
    });
    return { org, actor, pool };
  }

  const entry = async (actor: Actor, tableId: string, data: EntryData): Promise<string> =>
    (await send(COMMANDS.entriesCreate, { actor, tableId, data, schemaMode: 'infer' })).id;

  const birthdaysOf = (entryId: string): string[] =>
    events
      .ofType(TABLE_ENTRY_BIRTHDAY)
      .filter((e) => e.body.subject === entryId)
      .map((e) => e.body.data.date as string);

  const waitForBirthday = (entryId: string, date: string) =>
    events.waitFor(
      (e) => e.body.type === TABLE_ENTRY_BIRTHDAY && e.body.subject === entryId && e.body.data.date === date,
    );

  const timer = async (org: string): Promise<TimerRow | undefined> =>
    (
      (await db.query('SELECT due_at, state, payload FROM leads.timers WHERE key = $1', [
        birthdayTimerKey(org),
      ])) as TimerRow[]
    )[0];

  beforeAll(async () => {
    leads = await startLeads('birthdays');
    send = commandSender(leads.nc, leads.names);
    events = await leads.collect('LEADS');
    db = leads.app.get(DataSource);
  }, 120_000);

  afterAll(() => leads?.stop(), 120_000);

  it('returns birthdayField on pools (null by default) and validates it', async () => {
    const org = uuidv7();
    const pool = await send(COMMANDS.poolsCreate, { organizationId: org, name: 'P' });
    expect(pool.birthdayField).toBeNull();
    const updated = await send(COMMANDS.poolsUpdate, {
      organizationId: org,
      id: pool.id,
      birthdayField: 'dob',
    });
    expect(updated.birthdayField).toBe('dob');
    expect((await send(COMMANDS.poolsGet, { organizationId: org, id: pool.id })).birthdayField).toBe('dob');
    const empty = await failure(
      send(COMMANDS.poolsUpdate, { organizationId: org, id: pool.id, birthdayField: '' }),
    );
    expect(empty.code).toBe('VALIDATION_FAILED');
    const off = await send(COMMANDS.poolsUpdate, { organizationId: org, id: pool.id, birthdayField: null });
    expect(off.birthdayField).toBeNull();
    // Without a pool with a birthday field the organization has no daily sweep.
    expect((await timer(org))?.state).toBe('cancelled');
  });

  it('emits once per entry and year for YYYY-MM-DD and MM-DD birthdays; other values are ignored', async () => {
    const { org, actor, pool } = await organization();
    const full = await entry(actor, pool.id, { birthday: '1990-07-14' });
    const short = await entry(actor, pool.id, { birthday: '07-14' });
    const garbage = await Promise.all(
      ['14.07.1990', '7-14', '1990-07-14T10:00:00Z', 'July 14', '1990-07-15'].map((birthday) =>
        entry(actor, pool.id, { birthday }),
      ),
    );
    const noField = await entry(actor, pool.id, { name: 'no birthday' });
    // A pool without a birthdayField is never swept.
    const other = await send(COMMANDS.poolsCreate, { organizationId: org, name: 'Other' });
    await send(COMMANDS.leadStatesCreate, {
      organizationId: org,
      tableId: other.id,
      name: 'N',
      isDefault: true,
    });
    const unswept = await entry(actor, other.id, { birthday: '07-14' });

    expect(await send(COMMANDS.birthdaySweep, { organizationId: org, date: '2026-07-14' })).toEqual({
      date: '2026-07-14',
      emitted: 2,
    });
    const [event] = await waitForBirthday(full, '2026-07-14');
    expect(event!.body.data).toEqual({ entryId: full, tableId: pool.id, date: '2026-07-14' });
    // Caused by the clock, not by a caller.
    expect(event!.body).toMatchObject({ organizationid: org, channel: 'system', apitokenid: null });
    await waitForBirthday(short, '2026-07-14');

    // The same date again, and another date of the same year after the birthday moved: nothing new.
    expect(await send(COMMANDS.birthdaySweep, { organizationId: org, date: '2026-07-14' })).toEqual({
      date: '2026-07-14',
      emitted: 0,
    });
    await send(COMMANDS.entriesUpdate, { actor, id: full, data: { birthday: '1990-07-20' } });
    expect(await send(COMMANDS.birthdaySweep, { organizationId: org, date: '2026-07-20' })).toEqual({
      date: '2026-07-20',
      emitted: 0,
    });
    // A new year: celebrated again.
    expect(await send(COMMANDS.birthdaySweep, { organizationId: org, date: '2027-07-14' })).toEqual({
      date: '2027-07-14',
      emitted: 1,
    });
    await waitForBirthday(short, '2027-07-14');
    expect(birthdaysOf(full)).toEqual(['2026-07-14']);
    expect(birthdaysOf(short)).toEqual(['2026-07-14', '2027-07-14']);
    for (const id of [...garbage, noField, unswept]) expect(birthdaysOf(id)).toEqual([]);
  });

  it('celebrates Feb 29 on Feb 28 in non-leap years and on Feb 29 in leap years', async () => {
    const { org, actor, pool } = await organization();
    const leapling = await entry(actor, pool.id, { birthday: '2000-02-29' });
    const leaplingShort = await entry(actor, pool.id, { birthday: '02-29' });
    const feb28 = await entry(actor, pool.id, { birthday: '1985-02-28' });

    expect(await send(COMMANDS.birthdaySweep, { organizationId: org, date: '2027-02-28' })).toEqual({
      date: '2027-02-28',
      emitted: 3,
    });
    await waitForBirthday(leapling, '2027-02-28');
    await waitForBirthday(leaplingShort, '2027-02-28');
    await waitForBirthday(feb28, '2027-02-28');

    // 2028 is a leap year: Feb 28 is only Feb 28's, Feb 29 is the leaplings'.
    expect(await send(COMMANDS.birthdaySweep, { organizationId: org, date: '2028-02-28' })).toEqual({
      date: '2028-02-28',
      emitted: 1,
    });
    expect(await send(COMMANDS.birthdaySweep, { organizationId: org, date: '2028-02-29' })).toEqual({
      date: '2028-02-29',
      emitted: 2,
    });
    await waitForBirthday(leapling, '2028-02-29');
    await waitForBirthday(leaplingShort, '2028-02-29');
    await waitForBirthday(feb28, '2028-02-28');
    expect(birthdaysOf(leapling)).toEqual(['2027-02-28', '2028-02-29']);
    expect(birthdaysOf(feb28)).toEqual(['2027-02-28', '2028-02-28']);
  });

  it("sweeps the organization's local today: Kiritimati and Pago Pago are on different dates", async () => {
    const kiritimati = await organization('Pacific/Kiritimati'); // UTC+14
    const pagoPago = await organization('Pacific/Pago_Pago'); // UTC-11
    const now = new Date();
    const kDate = clockIn(now, 'Pacific/Kiritimati').date;
    const pDate = clockIn(now, 'Pacific/Pago_Pago').date;
    expect(kDate).not.toBe(pDate); // 25 hours apart: never the same date
    const kEntry = await entry(kiritimati.actor, kiritimati.pool.id, { birthday: kDate.slice(5) });
    const pEntry = await entry(pagoPago.actor, pagoPago.pool.id, { birthday: pDate.slice(5) });
    const pOnK = await entry(pagoPago.actor, pagoPago.pool.id, { birthday: kDate.slice(5) });

    const kResult = await send(COMMANDS.birthdaySweep, { organizationId: kiritimati.org });
    const pResult = await send(COMMANDS.birthdaySweep, { organizationId: pagoPago.org });
    // A sweep right at a local midnight may see the next date; compare with the clock just after, too.
    expect([kDate, clockIn(new Date(), 'Pacific/Kiritimati').date]).toContain(kResult.date);
    expect([pDate, clockIn(new Date(), 'Pacific/Pago_Pago').date]).toContain(pResult.date);
    expect(kResult.date).not.toBe(pResult.date);
    if (kResult.date === kDate) {
      expect(kResult.emitted).toBe(1);
      await waitForBirthday(kEntry, kDate);
    }
    if (pResult.date === pDate) {
      expect(pResult.emitted).toBe(1);
      await waitForBirthday(pEntry, pDate);
      expect(birthdaysOf(pOnK)).toEqual([]);
    }
  });

  it('keeps the organization time zone (UTC by default) and refuses what is not an IANA zone', async () => {
    const org = uuidv7();
    expect(await send(COMMANDS.organizationSettingsGet, { organizationId: org })).toEqual({
      timezone: 'UTC',
    });
    for (const timezone of ['Mars/Olympus_Mons', 'UTC+2', 'Europe/Berlinn']) {
      const error = await failure(
        send(COMMANDS.organizationSettingsUpdate, { organizationId: org, timezone }),
      );
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(fields(error)).toEqual(['timezone']);
    }
    expect(
      await send(COMMANDS.organizationSettingsUpdate, { organizationId: org, timezone: 'Asia/Tokyo' }),
    ).toEqual({ timezone: 'Asia/Tokyo' });
    expect(await send(COMMANDS.organizationSettingsGet, { organizationId: org })).toEqual({
      timezone: 'Asia/Tokyo',
    });

    const badDate = await failure(send(COMMANDS.birthdaySweep, { organizationId: org, date: '2027-02-29' }));
    expect(badDate.code).toBe('VALIDATION_FAILED');
    expect(fields(badDate)).toEqual(['date']);
  });

  it('plans the daily sweep for the next local 00:05 and moves it with the time zone', async () => {
    const { org } = await organization('Asia/Kathmandu'); // UTC+5:45
    const planned = await timer(org);
    expect(planned?.state).toBe('pending');
    const dueIn = planned!.due_at.getTime() - Date.now();
    expect(dueIn).toBeGreaterThan(0);
    expect(dueIn).toBeLessThanOrEqual(DAY_MS);
    expect(clockIn(planned!.due_at, 'Asia/Kathmandu')).toEqual({
      date: planned!.payload.date,
      time: '00:05',
    });

    await send(COMMANDS.organizationSettingsUpdate, { organizationId: org, timezone: 'America/New_York' });
    const moved = await timer(org);
    expect(moved?.state).toBe('pending');
    expect(clockIn(moved!.due_at, 'America/New_York')).toEqual({ date: moved!.payload.date, time: '00:05' });
    expect(moved!.due_at.getTime()).toBeGreaterThan(Date.now());

    // Setting a second pool's birthdayField keeps the one timer.
    const other = await send(COMMANDS.poolsCreate, { organizationId: org, name: 'Other' });
    await send(COMMANDS.poolsUpdate, { organizationId: org, id: other.id, birthdayField: 'dob' });
    const rows = (await db.query('SELECT count(*)::int AS n FROM leads.timers WHERE key LIKE $1', [
      `birthday:${org}%`,
    ])) as { n: number }[];
    expect(rows[0]!.n).toBe(1);
    expect((await timer(org))!.due_at).toEqual(moved!.due_at);
  });

  it('a timer firing late sweeps the day it was due for, then the days since, and plans the next one', async () => {
    const zone = 'Europe/Berlin';
    const { org, actor, pool } = await organization(zone);
    const today = clockIn(new Date(), zone).date;
    const yesterday = clockIn(new Date(Date.now() - DAY_MS), zone).date;
    const wasYesterday = await entry(actor, pool.id, { birthday: `1980-${yesterday.slice(5)}` });
    const isToday = await entry(actor, pool.id, { birthday: today.slice(5) });

    // As after an outage: yesterday's sweep came due a day ago and never ran.
    await db.query(
      `UPDATE leads.timers SET due_at = now() - interval '1 day', payload = $2::jsonb WHERE key = $1`,
      [birthdayTimerKey(org), JSON.stringify({ organizationId: org, date: yesterday })],
    );
    await waitForBirthday(wasYesterday, yesterday);
    // Today has begun in Berlin unless the test runs in the five minutes before the sweep time.
    const next = await eventually(async () => {
      const row = await timer(org);
      return row?.state === 'pending' && row.payload.date > yesterday ? row : undefined;
    });
    if (next.payload.date > today) await waitForBirthday(isToday, today);
    expect(clockIn(next.due_at, zone)).toEqual({ date: next.payload.date, time: '00:05' });
    expect(next.due_at.getTime()).toBeGreaterThan(Date.now());
    expect(birthdaysOf(wasYesterday)).toEqual([yesterday]);
  });
});
