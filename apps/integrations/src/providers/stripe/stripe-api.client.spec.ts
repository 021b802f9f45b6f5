import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort, startFakeStripeApi, type FakeStripeApi } from '@rocketlead/testing';
import { ProviderError } from '../provider-error';
import { StripeApiClient } from './stripe-api.client';

const API_KEY = 'sk_test_fake_0123456789';

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe('StripeApiClient', () => {
  let fake: FakeStripeApi;
  let client: StripeApiClient;

  beforeAll(async () => {
    fake = await startFakeStripeApi({ apiKey: API_KEY });
    client = new StripeApiClient({ apiBase: fake.url, timeoutMs: 2000 });
  });

  afterAll(async () => {
    await fake.close();
  });

  it('lists the line items of a session with the connection key', async () => {
    fake.setLineItems('cs_test_ok', [
      { priceId: 'price_a', productId: 'prod_a' },
      { priceId: 'price_b', productId: 'prod_b', amountTotal: 500 },
    ]);
    const items = await client.listLineItems(API_KEY, 'cs_test_ok');
    expect(items).toEqual([
      { priceId: 'price_a', productId: 'prod_a' },
      { priceId: 'price_b', productId: 'prod_b' },
    ]);
    const request = fake.requests.at(-1);
    expect(request?.method).toBe('GET');
    expect(request?.path).toBe('/v1/checkout/sessions/cs_test_ok/line_items?limit=100');
    expect(request?.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it('a wrong key is permanent', async () => {
    fake.setLineItems('cs_test_key', [{ priceId: 'price_a', productId: 'prod_a' }]);
    const error = await failure(client.listLineItems('sk_test_wrong_key_9999', 'cs_test_key'));
    expect(error.transient).toBe(false);
    expect(error.message).toContain('HTTP 401');
    expect(error.message).not.toContain('sk_test_wrong_key_9999');
  });

  it('an unknown session is permanent', async () => {
    const error = await failure(client.listLineItems(API_KEY, 'cs_test_unknown'));
    expect(error.transient).toBe(false);
    expect(error.message).toContain('HTTP 404');
  });

  it('a 500 is transient, and not retried by the SDK', async () => {
    fake.setLineItems('cs_test_500', [{ priceId: 'price_a', productId: 'prod_a' }]);
    const before = fake.requests.length;
    fake.failNext(1, 500);
    const error = await failure(client.listLineItems(API_KEY, 'cs_test_500'));
    expect(error.transient).toBe(true);
    expect(fake.requests.length - before).toBe(1);
    await expect(client.listLineItems(API_KEY, 'cs_test_500')).resolves.toHaveLength(1);
  });

  it('a 429 is transient', async () => {
    fake.failNext(1, 429);
    expect((await failure(client.listLineItems(API_KEY, 'cs_test_ok'))).transient).toBe(true);
  });

  it('a refused connection is transient', async () => {
    const closed = new StripeApiClient({ apiBase: `http://127.0.0.1:${await freePort()}`, timeoutMs: 2000 });
    expect((await failure(closed.listLineItems(API_KEY, 'cs_test_ok'))).transient).toBe(true);
  });

  it('a timeout is transient', async () => {
    const impatient = new StripeApiClient({ apiBase: fake.url, timeoutMs: 300 });
    fake.failNext(1, 'hang');
    const error = await failure(impatient.listLineItems(API_KEY, 'cs_test_ok'));
    expect(error.transient).toBe(true);
    expect(error.message).toContain('timeout');
  });
});
