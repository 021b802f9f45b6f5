import { describe, expect, it } from '@jest/globals';
import { GroupWriter } from './group-writer';

describe('GroupWriter', () => {
  it('writes what arrives during a write together in the next one', async () => {
    const writes: number[][] = [];
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve));
    const batcher = new GroupWriter<number>(async (records) => {
      writes.push(records);
      if (writes.length === 1) await first;
    });
    const all = [batcher.add(1), batcher.add(2), batcher.add(3), batcher.add(4)];
    release();
    await Promise.all(all);
    expect(writes).toEqual([[1], [2, 3, 4]]);
  });

  it('fails only the records of the batch whose write failed', async () => {
    let calls = 0;
    const batcher = new GroupWriter<string>(() => {
      calls += 1;
      return calls === 1 ? Promise.reject(new Error('postgres down')) : Promise.resolve();
    });
    await expect(batcher.add('a')).rejects.toThrow('postgres down');
    await expect(batcher.add('b')).resolves.toBeUndefined();
  });

  it('gives every caller the result of the write that carried its item', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let writes = 0;
    const writer = new GroupWriter<number, number[]>(async (items) => {
      writes += 1;
      if (writes === 1) await gate;
      return items.map((n) => n * 10);
    });
    const results = [1, 2, 3].map((n) => writer.add(n));
    release();
    expect(await Promise.all(results)).toEqual([[10], [20, 30], [20, 30]]);
  });

  it('caps a batch at maxBatch records', async () => {
    const sizes: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const batcher = new GroupWriter<number>(
      async (records) => {
        sizes.push(records.length);
        if (sizes.length === 1) await gate;
      },
      { maxBatch: 2 },
    );
    const all = [1, 2, 3, 4, 5].map((n) => batcher.add(n));
    release();
    await Promise.all(all);
    expect(sizes).toEqual([1, 2, 2]);
  });

  it('with a linger, writes items that arrive one by one inside the window together', async () => {
    const writes: number[][] = [];
    const writer = new GroupWriter<number>(
      (items) => {
        writes.push(items);
        return Promise.resolve();
      },
      { lingerMs: 50 },
    );
    const first = writer.add(1);
    // Each item in a later macrotask, as events handled one at a time would come.
    await new Promise((resolve) => setImmediate(resolve));
    const second = writer.add(2);
    await new Promise((resolve) => setImmediate(resolve));
    const third = writer.add(3);
    await Promise.all([first, second, third]);
    expect(writes).toEqual([[1, 2, 3]]);
  });

  it('without a linger, an idle writer writes the first item at once', async () => {
    const writes: number[][] = [];
    const writer = new GroupWriter<number>((items) => {
      writes.push(items);
      return Promise.resolve();
    });
    const first = writer.add(1);
    await new Promise((resolve) => setImmediate(resolve));
    const second = writer.add(2);
    await Promise.all([first, second]);
    expect(writes).toEqual([[1], [2]]);
  });
});
