import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { canonicalTimeZone } from '../src/calendars/calendars.service';

describe('canonicalTimeZone', () => {
  it('stores each zone in its IANA spelling, whatever the case it was sent in', () => {
    expect(canonicalTimeZone('utc')).toBe('UTC');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('EUROPE/BERLIN')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('america/port-au-prince')).toBe('America/Port-au-Prince');
  });

  it('keeps a conventionally spelled alias and resolves a mis-cased one to its zone', () => {
    expect(canonicalTimeZone('Asia/Kolkata')).toBe('Asia/Kolkata');
    expect(canonicalTimeZone('etc/utc')).toBe('UTC');
    expect(canonicalTimeZone('us/pacific')).toBe('America/Los_Angeles');
    expect(canonicalTimeZone('America/Argentina/Buenos_Aires')).toBe('America/Argentina/Buenos_Aires');
    expect(canonicalTimeZone('america/argentina/buenos_aires')).toBe('America/Buenos_Aires');
  });
});
