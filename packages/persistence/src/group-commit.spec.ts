import { describe, expect, it } from '@jest/globals';
import { GroupCommit } from './group-commit';

interface Pending {
  entry: { id: string };
}

const pending = (id: string): Pending => ({ entry: { id } });

/** A writer whose storage is recorded in memory; `bad` ids are refused by any statement holding them. */
function recordingWriter(bad: string[] = [], options: { maxGroup?: number; maxInFlight?: number } = {}) {
  const groups: string[][] = [];
  const singles: string[] = [];
  const stored: string[] = [];
  let commits = 0;
  const writer = new GroupCommit<Pending>({
    writeGroup: (items) => {
      const ids = items.map((item) => item.entry.id);
      groups.push(ids);
      if (ids.some((id) => bad.includes(id))) return Promise.reject(new Error('group refused'));
      stored.push(...ids);
      return Promise.resolve(ids.map(() => undefined));
    },
    writeOne: (item) => {
      singles.push(item.entry.id);
      if (bad.includes(item.entry.id)) return Promise.reject(new Error(`refused ${item.entry.id}`));
      stored.push(item.entry.id);
      return Promise.resolve();
    },
    committed: () => {
      commits += 1;
    },
    ...options,
  });
  return { writer, groups, singles, stored, commits: () => commits };
}

describe('GroupCommit', () => {
  it('writes a lone item on its own, without a group statement', async () => {
    const w = recordingWriter();
    await w.writer.write(pending('a'));
    expect(w.groups).toEqual([]);
    expect(w.singles).toEqual(['a']);
    expect(w.commits()).toBe(1);
  });

  it('writes items arriving together as one group and answers each after its commit', async () => {
    const w = recordingWriter([], { maxInFlight: 1 });
    const ids = ['a', 'b', 'c', 'd'];
    await Promise.all(ids.map((id) => w.writer.write(pending(id))));
    expect(w.groups).toEqual([ids]);
    expect(w.stored).toEqual(ids);
    expect(w.commits()).toBe(1);
  });

  it('caps a group at maxGroup items', async () => {
    const w = recordingWriter([], { maxGroup: 3, maxInFlight: 1 });
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => w.writer.write(pending(id))));
    // The remaining two are the next group, written once the first has been.
    expect(w.groups).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
    expect(w.stored).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('one item refused by the group write fails alone; the others are stored and resolve', async () => {
    const w = recordingWriter(['c'], { maxInFlight: 1 });
    const results = await Promise.allSettled(['a', 'b', 'c', 'd'].map((id) => w.writer.write(pending(id))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[2] as PromiseRejectedResult).reason).toEqual(new Error('refused c'));
    expect(w.stored.sort()).toEqual(['a', 'b', 'd']);
    expect(w.singles.sort()).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('GroupCommit with results', () => {
  it('answers each caller with its own result, grouped or alone', async () => {
    const writer = new GroupCommit<string, string>({
      writeGroup: (items) => Promise.resolve(items.map((item) => `group:${item}`)),
      writeOne: (item) => Promise.resolve(`one:${item}`),
      committed: () => undefined,
      maxInFlight: 1,
    });
    expect(await Promise.all(['a', 'b', 'c'].map((item) => writer.write(item)))).toEqual([
      'group:a',
      'group:b',
      'group:c',
    ]);
    expect(await writer.write('d')).toBe('one:d');
  });
});
