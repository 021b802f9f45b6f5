import { FakeApiServer, type FakeApiAnswer, type FakeApiRequest } from './fake-api-server';

export interface FakeEventbriteProfile {
  email?: string;
  name?: string;
  first_name?: string;
  last_name?: string;
  cell_phone?: string;
}

export interface FakeEventbriteAttendee {
  id: string;
  cancelled?: boolean;
  refunded?: boolean;
  /** 'Attending' when not given. */
  status?: string;
  profile: FakeEventbriteProfile;
}

export interface FakeEventbriteOrder {
  id: string;
  event_id: string;
  /** The buyer; the first attendee's when not given. */
  email?: string;
  name?: string;
  /** 'placed' when not given. */
  status?: string;
  attendees: FakeEventbriteAttendee[];
}

export interface FakeEventbriteApiOptions {
  /** The private token requests must carry (`Authorization: Bearer <token>`). */
  token: string;
}

export interface FakeEventbriteApi {
  /** The API base, ending in /v3/ (the value for EVENTBRITE_API_URL). */
  url: string;
  close(): Promise<void>;
  /** Serves the order at /v3/orders/:id/ and each attendee at /v3/events/:eventId/attendees/:id/. */
  addOrder(order: FakeEventbriteOrder): void;
  /** The api_url Eventbrite sends for `order.placed`. */
  orderUrl(orderId: string): string;
  /** The api_url Eventbrite sends for `attendee.updated`. */
  attendeeUrl(eventId: string, attendeeId: string): string;
  /**
   * The next `n` requests are answered with `status` and an Eventbrite error object, not at all ('hang'),
   * or with `answer` as given (e.g. an oversized body).
   */
  failNext(n: number, status: number | 'hang', body?: unknown): void;
  requests: FakeApiRequest[];
}

const ORDER_PATH = /^\/v3\/orders\/([^/]+)\/?$/;
const ATTENDEE_PATH = /^\/v3\/events\/([^/]+)\/attendees\/([^/]+)\/?$/;

function eventbriteError(status: number, error: string, description: string): FakeApiAnswer {
  return { status, body: { status_code: status, error_description: description, error } };
}

/** A webhook body as Eventbrite posts it: `{config: {action, user_id, endpoint_url, webhook_id}, api_url}`. */
export function eventbriteNotification(action: string, apiUrl: string): string {
  return JSON.stringify({
    config: {
      action,
      user_id: '1234567890',
      endpoint_url: 'https://rocketlead.test/hook',
      webhook_id: '987654',
    },
    api_url: apiUrl,
  });
}

/**
 * A local Eventbrite API v3 serving orders (`GET /v3/orders/:id/`, attendees with `expand=attendees`) and
 * attendees (`GET /v3/events/:eventId/attendees/:id/`) in Eventbrite's formats; 401 for a missing or wrong
 * token, 404 for unknown ones.
 */
export async function startFakeEventbriteApi(options: FakeEventbriteApiOptions): Promise<FakeEventbriteApi> {
  const orders = new Map<string, FakeEventbriteOrder>();
  let base = '';

  const attendeeObject = (
    order: FakeEventbriteOrder,
    attendee: FakeEventbriteAttendee,
  ): Record<string, unknown> => {
    const profile = attendee.profile;
    const name = profile.name ?? [profile.first_name, profile.last_name].filter(Boolean).join(' ');
    return {
      id: attendee.id,
      resource_uri: `${base}events/${order.event_id}/attendees/${attendee.id}/`,
      event_id: order.event_id,
      order_id: order.id,
      ticket_class_id: '100000001',
      ticket_class_name: 'General Admission',
      quantity: 1,
      cancelled: attendee.cancelled ?? false,
      refunded: attendee.refunded ?? false,
      checked_in: false,
      status: attendee.status ?? 'Attending',
      created: '2025-01-01T10:00:00Z',
      changed: '2025-01-01T10:00:00Z',
      profile: { ...profile, ...(name !== '' && profile.name === undefined ? { name } : {}) },
    };
  };

  const server = await FakeApiServer.start((request, url) => {
    if (request.authorization !== `Bearer ${options.token}`)
      return eventbriteError(401, 'INVALID_AUTH', 'The OAuth token you provided was invalid.');
    if (request.method !== 'GET') return eventbriteError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed.');
    const orderMatch = ORDER_PATH.exec(url.pathname);
    if (orderMatch !== null) {
      const order = orders.get(decodeURIComponent(orderMatch[1]));
      if (order === undefined)
        return eventbriteError(404, 'NOT_FOUND', 'The order you requested does not exist.');
      const expand = (url.searchParams.get('expand') ?? '').split(',');
      const first = order.attendees[0]?.profile;
      return {
        status: 200,
        body: {
          id: order.id,
          resource_uri: `${base}orders/${order.id}/`,
          event_id: order.event_id,
          email: order.email ?? first?.email ?? '',
          name: order.name ?? first?.name ?? '',
          first_name: first?.first_name ?? '',
          last_name: first?.last_name ?? '',
          status: order.status ?? 'placed',
          created: '2025-01-01T10:00:00Z',
          changed: '2025-01-01T10:00:00Z',
          ...(expand.includes('attendees')
            ? { attendees: order.attendees.map((attendee) => attendeeObject(order, attendee)) }
            : {}),
        },
      };
    }
    const attendeeMatch = ATTENDEE_PATH.exec(url.pathname);
    if (attendeeMatch !== null) {
      const eventId = decodeURIComponent(attendeeMatch[1]);
      const attendeeId = decodeURIComponent(attendeeMatch[2]);
      for (const order of orders.values()) {
        const attendee = order.attendees.find((one) => one.id === attendeeId);
        if (order.event_id === eventId && attendee !== undefined)
          return { status: 200, body: attendeeObject(order, attendee) };
      }
      return eventbriteError(404, 'NOT_FOUND', 'The attendee you requested does not exist.');
    }
    return eventbriteError(404, 'NOT_FOUND', 'The path you requested does not exist.');
  });
  base = `${server.origin}/v3/`;
  return {
    url: base,
    close: () => server.close(),
    addOrder: (order) => orders.set(order.id, structuredClone(order)),
    orderUrl: (orderId) => `${base}orders/${orderId}/`,
    attendeeUrl: (eventId, attendeeId) => `${base}events/${eventId}/attendees/${attendeeId}/`,
    failNext: (n, status, body) =>
      server.plan(
        n,
        status === 'hang'
          ? 'hang'
          : body !== undefined
            ? { status, body }
            : eventbriteError(status, 'INTERNAL_ERROR', `Fake failure (HTTP ${status}).`),
      ),
    requests: server.requests,
  };
}
