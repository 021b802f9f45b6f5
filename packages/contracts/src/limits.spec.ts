import { describe, expect, it } from '@jest/globals';
import {
  assertEntryFits,
  assertReplyFits,
  inspectJson,
  jsonByteLength,
  MAX_ARRAY_LENGTH,
  MAX_DEPTH,
  MAX_ENTRY_BYTES,
  MAX_KEYS_PER_OBJECT,
  MAX_REPLY_BYTES,
  MAX_REPORTED_ERRORS,
  MAX_STRING_LENGTH,
  NATS_MAX_PAYLOAD_BYTES,
  PAGE_BYTE_BUDGET,
  budgetedPage,
  utf8Length,
  validationFailed,
  withinPageBudget,
} from './limits';
import { DomainError } from './errors';

const fields = (value: unknown): string[] => inspectJson(value).map((e) => e.field);

describe('limits', () => {
  it('leave every reply and event inside one NATS payload', () => {
    expect(MAX_ENTRY_BYTES * 2).toBeLessThan(PAGE_BYTE_BUDGET + 1);
    expect(PAGE_BYTE_BUDGET).toBeLessThan(MAX_REPLY_BYTES);
    expect(MAX_REPLY_BYTES).toBeLessThan(NATS_MAX_PAYLOAD_BYTES - 64 * 1024);
  });

  it('count UTF-8 bytes like Buffer does', () => {
    for (const text of ['abc', 'é', '€', '😀', 'a\ud800b', '\udc00']) {
      expect(utf8Length(text)).toBe(Buffer.byteLength(text));
    }
    expect(jsonByteLength({ a: '€' })).toBe(Buffer.byteLength(JSON.stringify({ a: '€' })));
  });
});

describe('inspectJson', () => {
  it('accepts ordinary bodies and keys JavaScript uses on Object.prototype', () => {
    expect(
      inspectJson({
        data: { constructor: 'a', prototype: 'b', toString: 'c', hasOwnProperty: 'd', __defineGetter__: 'e' },
      }),
    ).toEqual([]);
  });

  it('names NUL and unpaired surrogates in values and keys', () => {
    const nul = inspectJson({ data: { a: 'x\u0000y' } });
    expect(nul.map((e) => e.field)).toEqual(['data.a']);
    expect(nul[0]!.message).toContain('NUL');
    expect(inspectJson({ data: { a: '\ud800' } })[0]!.message).toContain('surrogate');
    expect(inspectJson({ data: { a: '😀' } })).toEqual([]);
    expect(fields({ data: { 'k\u0000': 1 } })).toEqual(['data.k\\u0000']);
    expect(fields({ name: ['ok', 'x\udc00'] })).toEqual(['name[1]']);
  });

  it('refuses non-finite numbers by key', () => {
    const errors = inspectJson(JSON.parse('{"data":{"n":1e400,"m":-1e400}}'));
    expect(errors.map((e) => e.field)).toEqual(['data.n', 'data.m']);
    for (const error of errors) expect(error.message).toContain('finite');
  });

  it('refuses __proto__ keys saying why', () => {
    const errors = inspectJson(JSON.parse('{"data":{"__proto__":{"x":1}}}'));
    expect(errors.map((e) => e.field)).toEqual(['data.__proto__']);
    expect(errors[0]!.message).toContain('prototype');
  });

  it('bounds keys, arrays, strings and depth, with one error per broken limit', () => {
    const many = Object.fromEntries(Array.from({ length: 15_000 }, (_, i) => [`k${i}`, { a: 1 }]));
    expect(inspectJson({ data: many })).toEqual([
      { field: 'data', message: `must have at most ${MAX_KEYS_PER_OBJECT} keys (got 15000)` },
    ]);
    expect(fields({ tags: new Array(MAX_ARRAY_LENGTH + 1).fill('a') })).toEqual(['tags']);
    expect(fields({ s: 'x'.repeat(MAX_STRING_LENGTH + 1) })).toEqual(['s']);
    expect(fields({ ['k'.repeat(201)]: 1 })).toHaveLength(1);
    let deep: unknown = 1;
    for (let i = 0; i < MAX_DEPTH; i++) deep = [deep];
    expect(inspectJson(deep)).toEqual([]);
    expect(inspectJson([deep])[0]!.message).toContain(`deeper than ${MAX_DEPTH}`);
  });

  it('walks a 1 MiB nesting without overflowing the stack', () => {
    const depth = 512 * 1024;
    const value: unknown = JSON.parse('['.repeat(depth) + ']'.repeat(depth));
    expect(inspectJson(value)).toHaveLength(1);
  });

  it('lists a bounded number of errors', () => {
    const bad = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`k${i}`, '\u0000']));
    const errors = inspectJson(bad);
    expect(errors).toHaveLength(MAX_REPORTED_ERRORS + 1);
    expect(errors[MAX_REPORTED_ERRORS]).toEqual({ field: '(more)', message: '130 more errors not listed' });
  });
});

describe('assertEntryFits', () => {
  it('accepts up to the limit and names the larger field beyond it', () => {
    const fill = (bytes: number) => ({ v: 'x'.repeat(bytes - '{"v":""}'.length) });
    expect(() => assertEntryFits(fill(MAX_ENTRY_BYTES - 2), {})).not.toThrow();
    let error: unknown;
    try {
      assertEntryFits(fill(MAX_ENTRY_BYTES), { a: 1 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('PAYLOAD_TOO_LARGE');
    expect((error as DomainError).details).toMatchObject({ field: 'data', limit: MAX_ENTRY_BYTES });
  });

  it('catches numbers that grow when re-serialized', () => {
    const data = { n: JSON.parse(`[${new Array(60_000).fill('1e20').join(',')}]`) as number[] };
    expect(() => assertEntryFits(data, {})).toThrow(/limit is 262144 bytes/);
  });
});

describe('assertReplyFits', () => {
  it('turns an oversized reply into a typed error', () => {
    expect(assertReplyFits({ a: 1 }, 'x')).toEqual({ a: 1 });
    expect(() => assertReplyFits({ a: 'x'.repeat(MAX_REPLY_BYTES) }, 'The entry')).toThrow(
      expect.objectContaining({ code: 'REPLY_TOO_LARGE' }),
    );
  });
});

describe('withinPageBudget', () => {
  const tooLarge = (item: string, bytes: number) => new Error(`${item.slice(0, 3)} is ${bytes} bytes`);
  const text = (bytes: number, tag: string) => tag + 'x'.repeat(bytes - tag.length - 2); // JSON adds quotes

  it('keeps the leading items whose JSON stays within the page budget', () => {
    const items = [text(200_000, 'a'), text(200_000, 'b'), text(200_000, 'c')];
    expect(withinPageBudget(items, tooLarge)).toEqual(items.slice(0, 2));
    expect(withinPageBudget(['x', 'y'], tooLarge)).toEqual(['x', 'y']);
  });

  it('keeps one item past the budget alone, and names one that cannot fit in a reply at all', () => {
    const big = text(PAGE_BYTE_BUDGET + 10, 'big');
    expect(withinPageBudget([big, 'next'], tooLarge)).toEqual([big]);
    expect(() => withinPageBudget([text(MAX_REPLY_BYTES, 'huge')], tooLarge)).toThrow(/^hug is \d+ bytes$/);
  });
});

describe('budgetedPage', () => {
  const row = (id: string, bytes = 10) => ({ id, body: 'x'.repeat(bytes) });
  const page = (rows: ReturnType<typeof row>[], limit: number) =>
    budgetedPage(
      rows,
      limit,
      (r) => r,
      (r) => `after:${r.id}`,
      { what: 'A thing', idKey: 'thingId' },
    );

  it('points the cursor at the last item kept, whether the limit or the budget ended the page', () => {
    expect(page([row('a'), row('b'), row('c')], 2)).toEqual({
      items: [row('a'), row('b')],
      nextCursor: 'after:b',
    });
    expect(page([row('a'), row('b')], 2)).toEqual({ items: [row('a'), row('b')], nextCursor: null });
    const half = PAGE_BYTE_BUDGET / 2;
    const byBudget = page([row('a', half), row('b', half), row('c')], 3);
    expect(byBudget.items.map((r) => r.id)).toEqual(['a']);
    expect(byBudget.nextCursor).toBe('after:a');
  });

  it('names an item no reply can carry by its id', () => {
    expect(() => page([row('huge', MAX_REPLY_BYTES)], 5)).toThrow(
      expect.objectContaining({
        code: 'REPLY_TOO_LARGE',
        message: 'A thing on this page is too large to return',
        details: expect.objectContaining({ thingId: 'huge', limit: MAX_REPLY_BYTES }),
      }),
    );
  });
});

describe('validationFailed', () => {
  const fieldErrors = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ field: `f${i}`, message: 'is wrong' }));
  const listed = (error: DomainError) => (error.details as { errors: unknown[] }).errors;

  it('is a 400 Validation failed listing every field while they are few', () => {
    const error = validationFailed(fieldErrors(MAX_REPORTED_ERRORS));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toBe('Validation failed');
    expect(listed(error)).toEqual(fieldErrors(MAX_REPORTED_ERRORS));
  });

  it('lists the first ones and counts the rest when they are many', () => {
    const errors = listed(validationFailed(fieldErrors(MAX_REPORTED_ERRORS + 5)));
    expect(errors).toHaveLength(MAX_REPORTED_ERRORS + 1);
    expect(errors[MAX_REPORTED_ERRORS]).toEqual({ field: '(more)', message: '5 more errors not listed' });
  });

  it('keeps a list inspectJson already cut as it is', () => {
    const cut = inspectJson(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, '\u0000'])));
    expect(listed(validationFailed(cut))).toEqual(cut);
  });
});
