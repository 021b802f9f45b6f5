import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { COMMANDS, uuidv7, type Actor } from '@rocketlead/contracts';
import { commandSender, type CommandSender } from '@rocketlead/testing';
import { startLeads, type LeadsUnderTest } from './support';

// A command that held its transaction's connection while asking the pool for another deadlocked once every
// connection was held that way: under a burst, all of them waited out the 5 s connect timeout and failed
// (measured: automation runs failed after a restart). With one connection, any such path fails at once.
describe('leads on a pool of one connection (real Postgres and NATS)', () => {
  let leads: LeadsUnderTest;
  let send: CommandSender;
  const org = uuidv7();
  const actor: Actor = {
    organizationId: org,
    channel: 'automation',
    apiTokenId: null,
    memberId: null,
    correlationId: 'one-connection',
    traceparent: null,
  };

  beforeAll(async () => {
    leads = await startLeads('leads-one-conn', { env: { DB_POOL_SIZE: '1' } });
    send = commandSender(leads.nc, leads.names);
  }, 120_000);

  afterAll(() => leads?.stop(), 120_000);

  it('changes state, data and schema of an entry whose pool is not cached, in its one transaction', async () => {
    expect(leads.config.DB_POOL_SIZE).toBe(1);
    const pool = await send(COMMANDS.poolsCreate, { organizationId: org, name: 'Pool' });
    const fresh = await send(COMMANDS.leadStatesCreate, {
      organizationId: org,
      tableId: pool.id,
      name: 'New',
      isDefault: true,
    });
    const won = await send(COMMANDS.leadStatesCreate, { organizationId: org, tableId: pool.id, name: 'Won' });
    // A new key grows the schema under the pool lock.
    const entry = await send(COMMANDS.entriesCreate, {
      actor,
      tableId: pool.id,
      data: { name: 'Ann' },
      schemaMode: 'infer',
    });
    expect(entry.leadStateId).toBe(fresh.id);

    // A change of the pool drops every cached copy: the update below reads the pool inside its transaction.
    await send(COMMANDS.poolsUpdate, { organizationId: org, id: pool.id, name: 'Renamed' });
    const moved = await send(COMMANDS.entriesUpdate, {
      actor,
      id: entry.id,
      leadStateId: won.id,
      data: { name: 'Anne' },
      idempotencyKey: `run-1:0`,
    });
    expect(moved).toMatchObject({ leadStateId: won.id, data: { name: 'Anne' } });

    await send(COMMANDS.poolsUpdate, { organizationId: org, id: pool.id, name: 'Renamed again' });
    const grown = await send(COMMANDS.entriesUpdate, {
      actor,
      id: entry.id,
      data: { city: 'Berlin' },
      schemaMode: 'infer',
      idempotencyKey: `run-1:1`,
    });
    expect(grown.data).toEqual({ name: 'Anne', city: 'Berlin' });
  }, 30_000);

  it('detects duplicates, reaches milestones and checks custom fields in its one transaction', async () => {
    const pool = await send(COMMANDS.poolsCreate, { organizationId: org, name: 'Dedupe' });
    await send(COMMANDS.leadStatesCreate, {
      organizationId: org,
      tableId: pool.id,
      name: 'New',
      isDefault: true,
    });
    const valid = await send(COMMANDS.leadStatesCreate, {
      organizationId: org,
      tableId: pool.id,
      name: 'Valid',
      milestone: 'validated',
    });
    await send(COMMANDS.poolsUpdate, { organizationId: org, id: pool.id, dedupe: { keys: ['email'] } });
    const field = await send(COMMANDS.customFieldsCreate, {
      organizationId: org,
      name: 'Score',
      type: 'number',
    });
    const create = (email: string) =>
      send(COMMANDS.entriesCreate, { actor, tableId: pool.id, data: { email }, schemaMode: 'infer' });

    // Concurrent creates are written as one group: claims, duplicate links and events in one transaction.
    const [first, second, third] = await Promise.all([
      create('ann@example.com'),
      create('ANN@example.com '),
      create('bob@example.com'),
    ]);
    const duplicates = [first!, second!].filter((e) => e.duplicateOfId !== null);
    expect(duplicates).toHaveLength(1);
    expect(third!.duplicateOfId).toBeNull();

    await send(COMMANDS.poolsUpdate, { organizationId: org, id: pool.id, name: 'Dedupe, renamed' });
    const changed = await send(COMMANDS.entriesUpdate, {
      actor,
      id: third!.id,
      leadStateId: valid.id,
      data: { email: 'bob@example.org' },
      customFieldData: { [field.id]: 7 },
    });
    expect(changed).toMatchObject({
      leadStateId: valid.id,
      data: { email: 'bob@example.org' },
      customFieldData: { [field.id]: 7 },
    });
  }, 30_000);
});
