import { describe, expect, it } from '@jest/globals';
import { InvalidPhoneNumberError, toE164 } from './phone';

describe('toE164', () => {
  it.each([
    ['+1 415 555 2671', 'US', '+14155552671'],
    ['(415) 555-2671', 'US', '+14155552671'],
    ['415.555.2671', 'US', '+14155552671'],
    ['  +14155552671  ', 'US', '+14155552671'],
    ['+49 30 1234567', 'US', '+49301234567'],
    ['030 1234567', 'DE', '+49301234567'],
    ['+44 7911 123456', 'US', '+447911123456'],
  ])('reads %j (default %s) as %s', (raw, country, e164) => {
    expect(toE164(raw, country)).toBe(e164);
  });

  it.each([
    ['00 44 20 7946 0958', 'US'],
    ['0044 20 7946 0958', 'US'],
    ['00 44 20 7946 0958', 'DE'],
    ['011 44 20 7946 0958', 'US'],
  ])('reads the international prefix of %j (default %s)', (raw, country) => {
    expect(toE164(raw, country)).toBe('+442079460958');
  });

  it('reads 00 as the international prefix even where it is not the default country’s (US dials 011)', () => {
    expect(toE164('001 415 555 2671', 'US')).toBe('+14155552671');
  });

  it.each([
    ['12', '"12" is not a usable phone number'],
    ['', '"" is not a usable phone number'],
    ['call me', '"call me" is not a usable phone number'],
    ['+1 415 555 26', '"+1 415 555 26" is not a usable phone number'],
    ['+1 415 555 2671 99', '"+1 415 555 2671 99" is not a usable phone number'],
    // A US area code cannot start with 1.
    ['+1 123 456 7890', '"+1 123 456 7890" is not a usable phone number'],
    ['Phone: +1 415 555 2671', '"Phone: +1 415 555 2671" is not a usable phone number'],
    ['415-555-2671 x12', '"415-555-2671 x12" has an extension, which a text message cannot reach'],
  ])('refuses %j', (raw, message) => {
    expect(() => toE164(raw, 'US')).toThrow(new InvalidPhoneNumberError(message));
  });

  it('throws an InvalidPhoneNumberError that names itself', () => {
    let caught: unknown;
    try {
      toE164('12', 'US');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidPhoneNumberError);
    expect(caught).toBeInstanceOf(Error);
    expect((caught as Error).name).toBe('InvalidPhoneNumberError');
  });

  it('shortens very long input in the message', () => {
    const raw = '1'.repeat(500);
    expect(() => toE164(raw, 'US')).toThrow(`"${'1'.repeat(64)}…" is not a usable phone number`);
  });

  it('says so when a national number meets an unknown default country', () => {
    expect(() => toE164('(415) 555-2671', 'XX')).toThrow(
      '"(415) 555-2671" has no +country prefix and the default country "XX" is unknown',
    );
    expect(toE164('+1 415 555 2671', 'XX')).toBe('+14155552671');
  });
});
