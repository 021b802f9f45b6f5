import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { CreateTableEntryBody, DomainError } from '@rocketlead/contracts';
import { JSON_SUFFIX_TYPE, parseJsonBody } from '../src/http/json-body.parser';
import { createValidationPipe, escapeSpecialKeys, unescapeSpecialKeys } from '../src/http/validation';

const SPECIAL = ['constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__', 'valueOf'];

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('parseJsonBody', () => {
  it('treats an empty body as no body', () => {
    expect(parseJsonBody(Buffer.from(''))).toBeUndefined();
    expect(parseJsonBody(Buffer.from(' \n'))).toBeUndefined();
  });

  it('refuses __proto__ keys saying why, instead of "not valid JSON"', () => {
    const error = refusal(() => parseJsonBody('{"data":{"__proto__":{"x":1}}}'));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details?.errors).toEqual([
      {
        field: 'data.__proto__',
        message: '"__proto__" is not accepted as a key: JavaScript reserves it for the object prototype',
      },
    ]);
  });

  it('refuses malformed JSON and bodies that grow past the limit when re-serialized', () => {
    expect(refusal(() => parseJsonBody('{"a":')).code).toBe('BAD_REQUEST');
    const numbers = `[${new Array(1000).fill('1e20').join(',')}]`;
    const body = `{${Array.from({ length: 60 }, (_, i) => `"a${i}":${numbers}`).join(',')}}`;
    expect(refusal(() => parseJsonBody(body)).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('matches JSON media types with a structured suffix', () => {
    for (const type of ['application/merge-patch+json', 'application/vnd.acme.v2+json; charset=utf-8'])
      expect(JSON_SUFFIX_TYPE.test(type)).toBe(true);
    for (const type of ['application/json-seq', 'text/json', 'application/jsonx'])
      expect(JSON_SUFFIX_TYPE.test(type)).toBe(false);
  });
});

describe('the validation pipe keeps every key', () => {
  it('escapes and restores keys named like Object.prototype members', () => {
    const value = { data: Object.fromEntries(SPECIAL.map((k) => [k, k])) };
    const escaped = escapeSpecialKeys(structuredClone(value)) as { data: Record<string, unknown> };
    expect(Object.keys(escaped.data).every((k) => k.startsWith('\u0000'))).toBe(true);
    expect(unescapeSpecialKeys(escaped)).toEqual(value);
  });

  it('passes them through class-transformer and class-validator untouched', async () => {
    const data = Object.fromEntries(SPECIAL.map((k, i) => [k, `v${i}`]));
    const body = { tableId: '0190f1e2-0000-7000-8000-000000000000', data: { ...data } };
    const dto = (await (createValidationPipe().transform(body, {
      type: 'body',
      metatype: CreateTableEntryBody,
    }) as Promise<unknown>)) as CreateTableEntryBody;
    expect(dto).toBeInstanceOf(CreateTableEntryBody);
    expect({ ...dto.data }).toEqual(data);
    expect(Object.keys(dto.data)).toEqual(SPECIAL);
  });

  it('names a forbidden top-level key without the escape', async () => {
    const body = JSON.parse(
      '{"tableId":"0190f1e2-0000-7000-8000-000000000000","data":{},"constructor":1}',
    ) as unknown;
    const result = createValidationPipe().transform(body, {
      type: 'body',
      metatype: CreateTableEntryBody,
    }) as Promise<unknown>;
    const error = await result.then(
      () => undefined,
      (e: unknown) => e as { getResponse(): { errors: { field: string; message: string }[] } },
    );
    expect(error!.getResponse().errors).toEqual([
      { field: 'constructor', message: 'property constructor should not exist' },
    ]);
  });
});
