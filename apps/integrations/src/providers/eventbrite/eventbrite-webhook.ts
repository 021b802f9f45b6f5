import { DomainError } from '@rocketlead/contracts';
import { objectOf } from '../contact-fields';

/** The Eventbrite webhook actions that register attendees. */
export const EVENTBRITE_REGISTRATION_ACTIONS: readonly string[] = ['order.placed', 'attendee.updated'];

export interface EventbriteNotification {
  action: string;
  apiUrl: string;
}

const ACTION_MAX = 100;
const API_URL_MAX = 2048;
// Encoded slashes, backslashes and dots survive URL normalisation but a server may decode them into a path
// outside the base: an api_url holding one is refused rather than trusted.
const ENCODED_PATH_SEPARATOR = /%(2f|5c|2e)/i;

function refused(field: string, message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', 'Validation failed', { errors: [{ field, message }] });
}

/** The base as a URL whose path ends with '/', so '/v3' does not admit '/v3x/'. */
function baseUrl(apiBase: string): URL {
  const base = new URL(apiBase);
  if (!base.pathname.endsWith('/')) base.pathname = `${base.pathname}/`;
  return base;
}

/**
 * The URL when it lies under apiBase: same protocol, host and port, path under the base path after URL
 * normalisation (dot segments resolved), no user info; else null. Used before every fetch, too.
 */
export function apiUrlUnder(apiUrl: string, apiBase: string): URL | null {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    return null;
  }
  const base = baseUrl(apiBase);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username !== '' || url.password !== '') return null;
  if (url.protocol !== base.protocol || url.hostname !== base.hostname || url.port !== base.port) return null;
  if (!url.pathname.startsWith(base.pathname) || url.pathname === base.pathname) return null;
  if (ENCODED_PATH_SEPARATOR.test(url.pathname)) return null;
  url.hash = '';
  return url;
}

/**
 * Parses the webhook body `{config: {action, ...}, api_url}` and checks that api_url lies under apiBase
 * (EVENTBRITE_API_URL, default 'https://www.eventbriteapi.com/v3/'): same protocol, host and port, path under
 * the base path after URL normalisation, no user info. Anything else → DomainError VALIDATION_FAILED naming
 * `api_url` (or `config.action` / `body` for a malformed body). Never fetches anything.
 */
export function readEventbriteNotification(body: string, apiBase: string): EventbriteNotification {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw refused('body', 'must be a JSON object');
  }
  const notification = objectOf(parsed);
  if (notification === null) throw refused('body', 'must be a JSON object');
  const action = objectOf(notification.config)?.action;
  if (typeof action !== 'string' || action.trim() === '' || action.length > ACTION_MAX)
    throw refused('config.action', `must be a string of 1 to ${ACTION_MAX} characters`);
  const apiUrl = notification.api_url;
  if (typeof apiUrl !== 'string' || apiUrl === '' || apiUrl.length > API_URL_MAX)
    throw refused('api_url', `must be a URL of at most ${API_URL_MAX} characters`);
  const url = apiUrlUnder(apiUrl, apiBase);
  if (url === null) throw refused('api_url', `must lie under the Eventbrite API (${baseUrl(apiBase).href})`);
  return { action: action.trim(), apiUrl: url.href };
}
