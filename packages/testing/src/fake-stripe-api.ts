import { randomBytes } from 'node:crypto';
import { FakeApiServer, type FakeApiAnswer, type FakeApiRequest } from './fake-api-server';

export interface FakeStripeLineItem {
  priceId: string;
  productId: string;
  /** In the currency's smallest unit; 1000 when not given. */
  amountTotal?: number;
}

export interface FakeStripeApiOptions {
  /** The secret key requests must carry (`Authorization: Bearer <apiKey>`). */
  apiKey: string;
  currency?: string;
}

export interface FakeStripeApi {
  /** http://127.0.0.1:<port>, the value for STRIPE_API_BASE. */
  url: string;
  close(): Promise<void>;
  /** The line items of checkout session `sessionId` (replacing earlier ones). */
  setLineItems(sessionId: string, items: FakeStripeLineItem[]): void;
  /** The next `n` requests are answered with `status` and a Stripe error object, or not at all ('hang'). */
  failNext(n: number, status: number | 'hang'): void;
  requests: FakeApiRequest[];
}

const LINE_ITEMS_PATH = /^\/v1\/checkout\/sessions\/([^/]+)\/line_items$/;

function stripeId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

function stripeError(
  status: number,
  type: string,
  message: string,
  extra: Record<string, string> = {},
): FakeApiAnswer {
  return {
    status,
    body: { error: { type, message, ...extra } },
    headers: { 'request-id': stripeId('req') },
  };
}

/** Stripe masks keys in its errors the same way: the prefix and the last four characters. */
function maskedKey(authorization: string | null): string {
  const key = authorization?.replace(/^Bearer\s+/i, '') ?? '';
  return key.length > 8 ? `${key.slice(0, key.indexOf('_', 3) + 1)}****${key.slice(-4)}` : '****';
}

/**
 * A local Stripe API serving `GET /v1/checkout/sessions/:id/line_items` as Stripe does: a list object of
 * `item`s with their `price` (product as an id), 401 for a missing or wrong key, 404 for an unknown session.
 */
export async function startFakeStripeApi(options: FakeStripeApiOptions): Promise<FakeStripeApi> {
  const currency = options.currency ?? 'usd';
  const sessions = new Map<string, FakeStripeLineItem[]>();
  const server = await FakeApiServer.start((request, url) => {
    if (request.authorization === null)
      return stripeError(
        401,
        'invalid_request_error',
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
      );
    if (request.authorization !== `Bearer ${options.apiKey}`)
      return stripeError(
        401,
        'invalid_request_error',
        `Invalid API Key provided: ${maskedKey(request.authorization)}`,
      );
    const match = LINE_ITEMS_PATH.exec(url.pathname);
    if (request.method !== 'GET' || match === null)
      return stripeError(
        404,
        'invalid_request_error',
        `Unrecognized request URL (${request.method}: ${url.pathname}).`,
      );
    const sessionId = decodeURIComponent(match[1]);
    const items = sessions.get(sessionId);
    if (items === undefined)
      return stripeError(404, 'invalid_request_error', `No such checkout.session: '${sessionId}'`, {
        code: 'resource_missing',
        param: 'session',
      });
    const limit = Math.min(100, Math.max(1, Number(url.searchParams.get('limit') ?? 10) || 10));
    return {
      status: 200,
      headers: { 'request-id': stripeId('req') },
      body: {
        object: 'list',
        data: items.slice(0, limit).map((item) => ({
          id: stripeId('li'),
          object: 'item',
          amount_discount: 0,
          amount_subtotal: item.amountTotal ?? 1000,
          amount_tax: 0,
          amount_total: item.amountTotal ?? 1000,
          currency,
          description: 'Fake product',
          price: {
            id: item.priceId,
            object: 'price',
            active: true,
            currency,
            product: item.productId,
            type: 'one_time',
            unit_amount: item.amountTotal ?? 1000,
          },
          quantity: 1,
        })),
        has_more: items.length > limit,
        url: `/v1/checkout/sessions/${sessionId}/line_items`,
      },
    };
  });
  return {
    url: server.origin,
    close: () => server.close(),
    setLineItems: (sessionId, items) => sessions.set(sessionId, [...items]),
    failNext: (n, status) =>
      server.plan(
        n,
        status === 'hang' ? 'hang' : stripeError(status, 'api_error', `Fake failure (HTTP ${status})`),
      ),
    requests: server.requests,
  };
}
