import Stripe from 'stripe';
import { INTEGRATION_LIMITS } from '@rocketlead/contracts';
import { ProviderError, isTransientStatus } from '../provider-error';

export interface StripeLineItem {
  priceId: string | null;
  productId: string | null;
}

interface StripeAddress {
  host: string;
  port: string;
  protocol: 'http' | 'https';
}

/** host/port/protocol of an API base such as 'http://127.0.0.1:4711'; null = Stripe's own API. */
function stripeAddress(apiBase: string | null): StripeAddress | null {
  if (apiBase === null || apiBase.trim() === '') return null;
  const url = new URL(apiBase);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`STRIPE_API_BASE must be an http(s) URL, got ${url.protocol}`);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname, port: url.port || (protocol === 'http' ? '80' : '443'), protocol };
}

function idOf(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  // An expanded object carries its id.
  if (typeof value === 'object' && value !== null && 'id' in value && typeof value.id === 'string')
    return value.id === '' ? null : value.id;
  return null;
}

function providerError(error: unknown): ProviderError {
  if (error instanceof Stripe.errors.StripeError) {
    const status = error.statusCode;
    const detail = `Stripe API: ${status !== undefined ? `HTTP ${status}: ` : ''}${error.message}`.slice(
      0,
      500,
    );
    if (error instanceof Stripe.errors.StripeConnectionError) return new ProviderError(detail, true);
    if (status !== undefined) return new ProviderError(detail, isTransientStatus(status));
    // api_error without a status: an unreadable answer, which Stripe documents as a temporary problem.
    return new ProviderError(detail, error instanceof Stripe.errors.StripeAPIError);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderError(`Stripe API: ${message}`.slice(0, 500), false);
}

/** Reads checkout sessions through the official SDK, with the connection's own API key. */
export class StripeApiClient {
  private readonly address: StripeAddress | null;
  private readonly timeoutMs: number;

  /** apiBase: STRIPE_API_BASE ('' or null = Stripe's own API), e.g. 'http://127.0.0.1:4711' in tests. */
  constructor(options: { apiBase: string | null; timeoutMs: number }) {
    this.address = stripeAddress(options.apiBase);
    this.timeoutMs = options.timeoutMs;
  }

  /**
   * GET /v1/checkout/sessions/:id/line_items (one page of INTEGRATION_LIMITS.lineItemsPerSession). The SDK
   * does not retry (maxNetworkRetries 0): retries are ours, durable. Errors → ProviderError (transient for
   * connection errors, timeouts, 429 and 5xx; permanent for other 4xx such as a bad key or an unknown session).
   */
  async listLineItems(apiKey: string, sessionId: string): Promise<StripeLineItem[]> {
    // One client per call: each connection has its own key, and a client holds nothing worth sharing.
    const stripe = new Stripe(apiKey, {
      ...(this.address ?? {}),
      maxNetworkRetries: 0,
      timeout: this.timeoutMs,
      telemetry: false,
    });
    try {
      const page = await stripe.checkout.sessions.listLineItems(sessionId, {
        limit: INTEGRATION_LIMITS.lineItemsPerSession,
      });
      if (!Array.isArray(page.data))
        throw new ProviderError('Stripe API: line items answer without data', false);
      return page.data.map((item) => ({
        priceId: idOf(item.price?.id),
        productId: idOf(item.price?.product),
      }));
    } catch (error) {
      if (error instanceof ProviderError) throw error;
      throw providerError(error);
    }
  }
}
