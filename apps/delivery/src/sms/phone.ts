import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** A phone number no text message can be sent to; retrying cannot help. */
export class InvalidPhoneNumberError extends Error {
  override readonly name = 'InvalidPhoneNumberError';
}

// Far longer than any written phone number; bounds the parser's work on junk input.
const MAX_INPUT_LENGTH = 64;

function show(raw: string): string {
  const shown = raw.length > MAX_INPUT_LENGTH ? `${raw.slice(0, MAX_INPUT_LENGTH)}…` : raw;
  return JSON.stringify(shown);
}

/**
 * A phone number as written by a person (`(415) 555-2671`, `+49 30 1234567`, `00 44 20 7946 0958`) in
 * E.164 (`+14155552671`); numbers without a +country prefix are read as numbers of `defaultCountry`.
 *
 * Validity is `isValid()` with libphonenumber-js's default (min) metadata: that checks the length and
 * the leading digits of the country's numbering plan (so `+1 123 456 7890`, whose area code cannot
 * start with 1, is refused before it costs an API call), but not the full per-range digit patterns of
 * the max metadata, which go stale as new ranges are allocated; `isPossible()` alone checks only the
 * length. The SMS provider stays the final judge of the digits.
 */
export function toE164(raw: string, defaultCountry: string): string {
  const text = raw.trim();
  if (text === '' || text.length > MAX_INPUT_LENGTH)
    throw new InvalidPhoneNumberError(`${show(raw)} is not a usable phone number`);
  const country = isSupportedCountry(defaultCountry) ? (defaultCountry as CountryCode) : undefined;
  // extract: false — the whole input must be the number, not text that happens to contain one.
  let parsed = parsePhoneNumberFromString(text, { defaultCountry: country, extract: false });
  if ((parsed === undefined || !parsed.isValid()) && /^00[1-9]/.test(text.replace(/[\s().-]/g, ''))) {
    // 00 is the international prefix in most of the world (ITU-T E.164 recommends it), but not of every
    // default country (the US dials 011); no national number of those countries starts with 00.
    parsed = parsePhoneNumberFromString(`+${text.replace(/^[\s().-]*0\s*0/, '')}`, { extract: false });
  }
  if (parsed === undefined || !parsed.isValid()) {
    if (country === undefined && !text.startsWith('+') && !text.startsWith('00'))
      throw new InvalidPhoneNumberError(
        `${show(raw)} has no +country prefix and the default country ${JSON.stringify(defaultCountry)} is unknown`,
      );
    throw new InvalidPhoneNumberError(`${show(raw)} is not a usable phone number`);
  }
  // A text message cannot reach an extension behind a switchboard.
  if (parsed.ext !== undefined)
    throw new InvalidPhoneNumberError(`${show(raw)} has an extension, which a text message cannot reach`);
  return parsed.number;
}
