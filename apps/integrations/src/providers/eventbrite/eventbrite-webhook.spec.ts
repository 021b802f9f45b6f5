import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@rocketlead/contracts';
import { eventbriteNotification } from '@rocketlead/testing';
import { readEventbriteNotification } from './eventbrite-webhook';

const BASE = 'https://www.eventbriteapi.com/v3/';

function refusedField(body: string, apiBase = BASE): unknown {
  try {
    readEventbriteNotification(body, apiBase);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('VALIDATION_FAILED');
    return ((error as DomainError).details as { errors: { field: string }[] }).errors[0].field;
  }
  throw new Error('expected a refusal');
}

describe('readEventbriteNotification', () => {
  it('reads the action and an api_url under the API', () => {
    expect(
      readEventbriteNotification(eventbriteNotification('order.placed', `${BASE}orders/123/`), BASE),
    ).toEqual({
      action: 'order.placed',
      apiUrl: `${BASE}orders/123/`,
    });
    // Default ports and dot segments are normalised before the check.
    expect(
      readEventbriteNotification(
        eventbriteNotification(
          'attendee.updated',
          'https://www.eventbriteapi.com:443/v3/events/1/../1/attendees/2/',
        ),
        BASE,
      ).apiUrl,
    ).toBe(`${BASE}events/1/attendees/2/`);
  });

  it('accepts a base given without its trailing slash, and a local base', () => {
    expect(
      readEventbriteNotification(
        eventbriteNotification('order.placed', `${BASE}orders/1/`),
        BASE.slice(0, -1),
      ).apiUrl,
    ).toBe(`${BASE}orders/1/`);
    const local = 'http://127.0.0.1:4800/v3/';
    expect(
      readEventbriteNotification(eventbriteNotification('order.placed', `${local}orders/1/`), local).apiUrl,
    ).toBe(`${local}orders/1/`);
  });

  it.each([
    ['another host', 'https://evil.example.com/v3/orders/1/'],
    ['a look-alike host', 'https://www.eventbriteapi.com.evil.example/v3/orders/1/'],
    ['another protocol', 'http://www.eventbriteapi.com/v3/orders/1/'],
    ['another port', 'https://www.eventbriteapi.com:8443/v3/orders/1/'],
    ['user info', 'https://user:pass@www.eventbriteapi.com/v3/orders/1/'],
    ['user info hiding the host', 'https://www.eventbriteapi.com@evil.example/v3/orders/1/'],
    ['a path outside the base', 'https://www.eventbriteapi.com/v4/orders/1/'],
    ['a path sharing the base prefix', 'https://www.eventbriteapi.com/v3x/orders/1/'],
    ['dot segments leaving the base', 'https://www.eventbriteapi.com/v3/../admin/'],
    ['encoded dot segments', 'https://www.eventbriteapi.com/v3/%2e%2e/admin/'],
    ['an encoded slash', 'https://www.eventbriteapi.com/v3/..%2Fadmin/'],
    ['the base itself', 'https://www.eventbriteapi.com/v3/'],
    ['not a URL', 'orders/1/'],
    ['another scheme', 'file:///etc/passwd'],
  ])('refuses an api_url with %s', (_case, apiUrl) => {
    expect(refusedField(eventbriteNotification('order.placed', apiUrl))).toBe('api_url');
  });

  it('refuses malformed bodies, naming the field', () => {
    expect(refusedField('not json')).toBe('body');
    expect(refusedField('[]')).toBe('body');
    expect(refusedField('null')).toBe('body');
    expect(refusedField(JSON.stringify({ api_url: `${BASE}orders/1/` }))).toBe('config.action');
    expect(refusedField(JSON.stringify({ config: { action: 7 }, api_url: `${BASE}orders/1/` }))).toBe(
      'config.action',
    );
    expect(refusedField(JSON.stringify({ config: { action: 'order.placed' } }))).toBe('api_url');
    expect(refusedField(JSON.stringify({ config: { action: 'order.placed' }, api_url: 5 }))).toBe('api_url');
  });
});
