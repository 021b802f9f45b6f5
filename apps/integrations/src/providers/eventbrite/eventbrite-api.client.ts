import { request } from 'undici';
import { INTEGRATION_LIMITS, normaliseEmail } from '@rocketlead/contracts';
import { errorCode, MAX_ERROR_LENGTH } from '@rocketlead/observability';
import { BodyTooLargeError, readBoundedBody } from '../bounded-body';
import { contactEmail, contactName, contactPhone, objectOf } from '../contact-fields';
import { ProviderError, isTransientStatus } from '../provider-error';
import { apiUrlUnder, type EventbriteNotification } from './eventbrite-webhook';

export interface EventbriteContact {
  email: string;
  name: string | null;
  phone: string | null;
}

export interface EventbriteRegistrations {
  eventbriteEventId: string;
  orderId: string;
  /**
   * One per normalised email (normaliseEmail from contracts), first-seen order, however many tickets it holds.
   * Attendees without a valid email, cancelled or refunded ones are left out. At most
   * INTEGRATION_LIMITS.attendeesPerOrder attendees are read; the ones after it count as skipped.
   */
  contacts: EventbriteContact[];
  /** Attendees left out (no valid email, cancelled, refunded, past the limit); repeated tickets are not counted. */
  skipped: number;
}

const USER_AGENT = 'RocketLead-Integrations/1.0';
// Attendee statuses that hold no seat although the cancelled/refunded flags may lag behind.
const GONE_STATUSES = new Set(['deleted', 'not attending', 'transferred']);

class AttemptTimeout extends Error {}

function bad(message: string): ProviderError {
  return new ProviderError(`Eventbrite API: ${message}`.slice(0, MAX_ERROR_LENGTH), false);
}

function idText(value: unknown): string | null {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return null;
}

/** The `error_description` of an Eventbrite error answer, e.g. 'The OAuth token you provided was invalid.'. */
function errorDescription(body: Buffer): string | null {
  try {
    const description = objectOf(JSON.parse(body.toString('utf8')))?.error_description;
    return typeof description === 'string' ? description : null;
  } catch {
    return null;
  }
}

/** `expand=attendees` added to the URL's query, keeping what it held (another expansion included). */
function withAttendees(url: URL): URL {
  const expanded = new URL(url.href);
  const expansions = (expanded.searchParams.get('expand') ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (!expansions.includes('attendees')) expansions.push('attendees');
  expanded.searchParams.set('expand', expansions.join(','));
  return expanded;
}

function attendeeName(profile: Record<string, unknown>): string | null {
  const name = contactName(profile.name);
  if (name !== null) return name;
  const parts = [profile.first_name, profile.last_name].filter(
    (part): part is string => typeof part === 'string' && part.trim() !== '',
  );
  return contactName(parts.map((part) => part.trim()).join(' '));
}

/** One contact per normalised email of the attendees still holding a ticket. */
function collectContacts(attendees: unknown[]): { contacts: EventbriteContact[]; skipped: number } {
  const byEmail = new Map<string, EventbriteContact>();
  let skipped = Math.max(0, attendees.length - INTEGRATION_LIMITS.attendeesPerOrder);
  for (const value of attendees.slice(0, INTEGRATION_LIMITS.attendeesPerOrder)) {
    const attendee = objectOf(value);
    const profile = objectOf(attendee?.profile);
    const status = typeof attendee?.status === 'string' ? attendee.status.toLowerCase() : '';
    const email = contactEmail(profile?.email);
    if (
      attendee === null ||
      profile === null ||
      email === null ||
      attendee.cancelled === true ||
      attendee.refunded === true ||
      GONE_STATUSES.has(status)
    ) {
      skipped++;
      continue;
    }
    const key = normaliseEmail(email);
    if (!byEmail.has(key))
      byEmail.set(key, { email, name: attendeeName(profile), phone: contactPhone(profile.cell_phone) });
  }
  return { contacts: [...byEmail.values()], skipped };
}

function fromOrder(order: Record<string, unknown>): EventbriteRegistrations {
  const orderId = idText(order.id);
  if (orderId === null) throw bad('order without id');
  if (!Array.isArray(order.attendees)) throw bad(`order ${orderId} without attendees`);
  // Orders carry their event's id; an attendee says it too, should an order ever come without it.
  const first = objectOf(order.attendees[0]);
  const eventbriteEventId = idText(order.event_id) ?? (first ? idText(first.event_id) : null);
  if (eventbriteEventId === null) throw bad(`order ${orderId} without event_id`);
  return { eventbriteEventId, orderId, ...collectContacts(order.attendees) };
}

function fromAttendee(attendee: Record<string, unknown>): EventbriteRegistrations {
  const orderId = idText(attendee.order_id);
  const eventbriteEventId = idText(attendee.event_id);
  if (orderId === null || eventbriteEventId === null) throw bad('attendee without order_id or event_id');
  return { eventbriteEventId, orderId, ...collectContacts([attendee]) };
}

/** Reads orders and attendees from Eventbrite's API v3, only at URLs under the configured API. */
export class EventbriteApiClient {
  private readonly apiBase: string;
  private readonly timeoutMs: number;

  constructor(options: { apiBase: string; timeoutMs: number }) {
    this.apiBase = options.apiBase;
    this.timeoutMs = options.timeoutMs;
  }

  /**
   * Fetches notification.apiUrl with `Authorization: Bearer <token>` (checked again to lie under apiBase;
   * redirects are not followed). order.placed: the order with `expand=attendees`; attendee.updated: the
   * attendee. Reads at most INTEGRATION_LIMITS.providerResponseBytes. Errors → ProviderError (transient:
   * timeouts, connection errors, 429, 5xx; permanent: other statuses, unreadable or unexpected JSON).
   */
  async fetchRegistrations(
    notification: EventbriteNotification,
    token: string,
  ): Promise<EventbriteRegistrations> {
    const url = apiUrlUnder(notification.apiUrl, this.apiBase);
    if (url === null) throw bad('api_url does not lie under the configured API; nothing fetched');
    const isOrder = notification.action === 'order.placed';
    if (!isOrder && notification.action !== 'attendee.updated')
      throw bad(`action ${JSON.stringify(notification.action)} carries no registrations`);
    const answer = await this.get(isOrder ? withAttendees(url) : url, token);
    return isOrder ? fromOrder(answer) : fromAttendee(answer);
  }

  /** GETs the URL and returns its JSON object. */
  private async get(url: URL, token: string): Promise<Record<string, unknown>> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new AttemptTimeout()), this.timeoutMs);
    let body: Buffer;
    let status: number;
    try {
      const response = await request(url, {
        method: 'GET',
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'user-agent': USER_AGENT },
        signal: controller.signal,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      status = response.statusCode;
      body = await readBoundedBody(response, INTEGRATION_LIMITS.providerResponseBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) throw bad(error.message);
      const code = errorCode(error);
      if (controller.signal.aborted || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
        throw new ProviderError(`Eventbrite API: timeout after ${this.timeoutMs} ms`, true);
      // Anything else thrown is the network's (refused, reset, DNS): the next attempt may get through.
      const message = error instanceof Error ? error.message || code : code;
      throw new ProviderError(
        `Eventbrite API: ${message ?? 'request failed'}`.slice(0, MAX_ERROR_LENGTH),
        true,
      );
    } finally {
      clearTimeout(timer);
    }
    if (status < 200 || status > 299) {
      const description = errorDescription(body);
      const message = `Eventbrite API: HTTP ${status}${description !== null ? `: ${description}` : ''}`;
      throw new ProviderError(message.slice(0, MAX_ERROR_LENGTH), isTransientStatus(status));
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw bad('answer is not JSON');
    }
    const object = objectOf(parsed);
    if (object === null) throw bad('answer is not a JSON object');
    return object;
  }
}
