import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@rocketlead/contracts';
import { FORM_BODY_MAX_FIELDS, parseFormBody } from './form-body.parser';

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('parseFormBody', () => {
  it('decodes flat string fields, the first value of a repeated key winning', () => {
    const params = parseFormBody(
      Buffer.from('Body=hi+there%21&From=%2B15551234&Body=again&Empty=&%C3%A9=%E2%82%AC'),
    );
    expect(params).toEqual({ Body: 'hi there!', From: '+15551234', Empty: '', é: '€' });
    expect(parseFormBody('')).toEqual({});
  });

  it('keeps keys named like Object.prototype members as own fields', () => {
    const params = parseFormBody('constructor=a&toString=b');
    expect(Object.getPrototypeOf(params)).toBe(Object.prototype);
    expect({ ...params }).toEqual({ constructor: 'a', toString: 'b' });
  });

  it('refuses more than the field limit, __proto__ keys and NUL characters with a 400 naming them', () => {
    const fields = (count: number): string => Array.from({ length: count }, (_, i) => `f${i}=v`).join('&');
    expect(Object.keys(parseFormBody(fields(FORM_BODY_MAX_FIELDS)))).toHaveLength(FORM_BODY_MAX_FIELDS);
    const many = refusal(() => parseFormBody(fields(FORM_BODY_MAX_FIELDS + 1)));
    expect(many.code).toBe('VALIDATION_FAILED');
    expect(many.details?.errors).toEqual([
      { field: '(body)', message: 'must have at most 100 keys (got 101)' },
    ]);
    // Repeats of one key are one field.
    expect(parseFormBody('a=1&'.repeat(500))).toEqual({ a: '1' });
    expect(refusal(() => parseFormBody('__proto__=x')).details?.errors).toEqual([
      expect.objectContaining({ field: '__proto__' }),
    ]);
    expect(refusal(() => parseFormBody('a=%00')).details?.errors).toEqual([
      expect.objectContaining({ field: 'a' }),
    ]);
  });
});
