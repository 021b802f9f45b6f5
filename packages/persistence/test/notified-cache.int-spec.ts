import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from 'pg';
import { eventually, startInfrastructure, type Infrastructure } from '@rocketlead/testing';
import { NotifiedCache, notifyChanged } from '../src';

describe('NotifiedCache (real Postgres LISTEN/NOTIFY)', () => {
  let infra: Infrastructure;
  let writer: Client;
  const caches: NotifiedCache<string>[] = [];
  const channel = `cache_test_${process.pid}`;

  /** A cache whose loads are counted, listening on the test channel. */
  async function listening(maxAgeMs?: number) {
    const cache = new NotifiedCache<string>({ channel, maxAgeMs });
    caches.push(cache);
    await cache.listen(infra.postgresUrl);
    let loads = 0;
    let value = 'v1';
    return {
      cache,
      set: (next: string) => (value = next),
      read: (key: string) =>
        cache.read(key, () => {
          loads += 1;
          return Promise.resolve(value);
        }),
      loads: () => loads,
    };
  }

  beforeAll(async () => {
    infra = await startInfrastructure();
    writer = new Client({ connectionString: infra.postgresUrl });
    await writer.connect();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(caches.map((cache) => cache.stop()));
    await writer?.end();
    await infra?.stop();
  }, 120_000);

  it('serves repeated reads from memory', async () => {
    const c = await listening();
    expect(await c.read('a')).toBe('v1');
    expect(await c.read('a')).toBe('v1');
    expect(c.loads()).toBe(1);
  });

  it('a NOTIFY committed by another connection drops the copy in every listening cache', async () => {
    const [one, two] = [await listening(60_000), await listening(60_000)];
    await one.read('k');
    await two.read('k');
    one.set('v2');
    two.set('v2');
    const notify = notifyChanged(channel, 'k');
    await writer.query('BEGIN');
    await writer.query(notify.sql, notify.params);
    // Not before the commit: the copy is still served.
    expect(await one.read('k')).toBe('v1');
    await writer.query('COMMIT');
    await eventually(async () => ((await one.read('k')) === 'v2' ? true : undefined), {
      timeoutMs: 5_000,
      message: 'first cache still serves the old value',
    });
    await eventually(async () => ((await two.read('k')) === 'v2' ? true : undefined), {
      timeoutMs: 5_000,
      message: 'second cache still serves the old value',
    });
  });

  it('an invalidation during a read is not undone by that read', async () => {
    const c = await listening(60_000);
    let release: () => void = () => undefined;
    const slow = c.cache.read('s', () => new Promise<string>((resolve) => (release = () => resolve('old'))));
    c.cache.invalidate('s');
    release();
    expect(await slow).toBe('old');
    expect(c.cache.get('s')).toBeUndefined();
  });

  it('after a change in this process, keeps no copy until the change commits and its NOTIFY returns', async () => {
    const c = await listening(60_000);
    await c.read('h');
    // The writer's transaction: the local copy is dropped first, the NOTIFY goes out with the commit.
    await writer.query('BEGIN');
    c.cache.invalidate('h');
    const notify = notifyChanged(channel, 'h');
    await writer.query(notify.sql, notify.params);
    // A read of the old row while the change is uncommitted is answered but not kept.
    await c.read('h');
    expect(c.cache.get('h')).toBeUndefined();
    await writer.query('COMMIT');
    c.set('v2');
    await eventually(
      async () => {
        await c.read('h');
        return c.cache.get('h') === 'v2' ? true : undefined;
      },
      { timeoutMs: 5_000, message: 'the copy is not kept again after the NOTIFY' },
    );
  });

  it('keeps nothing while it is not listening', async () => {
    const cache = new NotifiedCache<string>({ channel });
    caches.push(cache);
    await cache.read('x', () => Promise.resolve('value'));
    expect(cache.get('x')).toBeUndefined();
  });
});
