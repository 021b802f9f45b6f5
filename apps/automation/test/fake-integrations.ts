import type { Msg, NatsConnection, Subscription } from 'nats';
import {
  COMMANDS,
  DomainError,
  uuidv7,
  type CommandName,
  type Product,
  type RpcReply,
  type WireNames,
} from '@rocketlead/contracts';

type Handler = (request: Record<string, unknown>) => unknown;

/**
 * A stand-in for the integrations service on a test namespace: answers products.get from memory, scoped by
 * organization as integrations answers it (another organization's product is not found).
 */
export class FakeIntegrations {
  readonly products = new Map<string, Product & { organizationId: string }>();
  private readonly subscriptions: Subscription[] = [];

  private constructor(
    private readonly nc: NatsConnection,
    private readonly names: WireNames,
  ) {}

  static start(nc: NatsConnection, names: WireNames): FakeIntegrations {
    const integrations = new FakeIntegrations(nc, names);
    integrations.serve(COMMANDS.productsGet, (r) => integrations.product(r));
    return integrations;
  }

  addProduct(organizationId: string, name: string): Product {
    const now = new Date().toISOString();
    const product = {
      id: uuidv7(),
      organizationId,
      name,
      stripeProductId: `prod_${uuidv7().slice(-12)}`,
      stripePriceId: null,
      createdAt: now,
      updatedAt: now,
    };
    this.products.set(product.id, product);
    return product;
  }

  stop(): void {
    for (const sub of this.subscriptions) sub.unsubscribe();
  }

  private product(request: Record<string, unknown>): Product {
    const product = this.products.get(request.id as string);
    if (!product || product.organizationId !== request.organizationId)
      throw new DomainError('NOT_FOUND', 'Product not found');
    return product;
  }

  private serve(command: CommandName, handler: Handler): void {
    const sub = this.nc.subscribe(this.names.command(command), {
      callback: (error, msg) => {
        if (error) return;
        this.answer(msg, handler);
      },
    });
    this.subscriptions.push(sub);
  }

  private answer(msg: Msg, handler: Handler): void {
    let reply: RpcReply<unknown>;
    try {
      reply = { ok: true, result: handler(msg.json<Record<string, unknown>>()) };
    } catch (error) {
      const e = error instanceof DomainError ? error : new DomainError('INTERNAL', String(error));
      reply = { ok: false, error: e.toBody() };
    }
    msg.respond(JSON.stringify(reply));
  }
}
