import { Inject, Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { INTEGRATION_LIMITS, STRIPE_PRODUCT_METADATA_KEY, type Actor } from '@rocketlead/contracts';
import { INTEGRATIONS_CONFIG } from '../config.token';
import type { IntegrationsConfig } from '../config';
import type { ConnectionEntity } from '../connections/connection.entity';
import { ConnectionSecretsBox } from '../connections/connection-secrets';
import { CalendarGateway } from '../gateways/calendar.gateway';
import { LeadsGateway } from '../gateways/leads.gateway';
import { ProductsService } from '../products/products.service';
import type { ProductEntity } from '../products/product.entity';
import {
  EventbriteApiClient,
  StripeApiClient,
  readCheckoutSession,
  readEventbriteNotification,
} from '../providers';
import type { InboundWebhookEntity } from '../webhooks/inbound-webhook.entity';
import { failed, ignored, type ProcessingOutcome } from './processing-outcome';

/** The cause every command and event of one webhook's processing carries: the integration, and the webhook. */
export function integrationActor(webhook: InboundWebhookEntity, traceparent: string | null): Actor {
  return {
    organizationId: webhook.organizationId,
    channel: 'integration',
    apiTokenId: null,
    memberId: null,
    correlationId: webhook.id,
    traceparent,
  };
}

/**
 * What one inbound webhook means: a Stripe checkout session buys linked products for a contact of the
 * connection's pool; an Eventbrite order registers its attendees' contacts for the linked CRM event. Calls
 * providers and other services; failures worth retrying are thrown (see failureOf).
 */
@Injectable()
export class WebhookProcessor {
  constructor(
    @Inject(INTEGRATIONS_CONFIG) private readonly config: Pick<IntegrationsConfig, 'EVENTBRITE_API_URL'>,
    private readonly secrets: ConnectionSecretsBox,
    private readonly products: ProductsService,
    private readonly leads: LeadsGateway,
    private readonly calendar: CalendarGateway,
    private readonly stripeApi: StripeApiClient,
    private readonly eventbriteApi: EventbriteApiClient,
  ) {}

  process(
    webhook: InboundWebhookEntity,
    connection: ConnectionEntity,
    traceparent: string | null,
  ): Promise<ProcessingOutcome> {
    const actor = integrationActor(webhook, traceparent);
    return webhook.provider === 'stripe'
      ? this.stripe(webhook, connection, actor)
      : this.eventbrite(webhook, connection, actor);
  }

  private async stripe(
    webhook: InboundWebhookEntity,
    connection: ConnectionEntity,
    actor: Actor,
  ): Promise<ProcessingOutcome> {
    // Verified when received; stored as the signed bytes.
    const session = readCheckoutSession(JSON.parse(webhook.payload) as Stripe.Event);
    if (!session) return ignored(`${webhook.eventType} is not a purchase of a checkout session`);
    if (!session.paid) return ignored(`checkout session ${session.sessionId} is not paid`);
    const found = await this.stripeProducts(connection, session.sessionId, session.metadataProductId);
    if ('reason' in found) return ignored(found.reason);
    if (!session.email) return failed('checkout session has no customer email');
    const { entryId } = await this.leads.resolveContact(actor, connection.tableId, {
      email: session.email,
      name: session.name,
      phone: session.phone,
    });
    return {
      status: 'succeeded',
      note: null,
      purchases: found.products.map((product) => ({
        productId: product.id,
        entryId,
        stripeSessionId: session.sessionId,
        stripeEventId: webhook.externalId,
        amountTotal: session.amountTotal,
        currency: session.currency,
      })),
    };
  }

  /** The products a session buys: the one its metadata names, else those its line items match. */
  private async stripeProducts(
    connection: ConnectionEntity,
    sessionId: string,
    metadataProductId: string | null,
  ): Promise<{ products: ProductEntity[] } | { reason: string }> {
    const { organizationId } = connection;
    if (metadataProductId !== null) {
      const product = await this.products.byMetadata(organizationId, metadataProductId);
      return product
        ? { products: [product] }
        : { reason: `unknown product ${metadataProductId} in metadata.${STRIPE_PRODUCT_METADATA_KEY}` };
    }
    const secrets = this.secrets.open(connection.secrets);
    const apiKey = secrets.provider === 'stripe' ? secrets.apiKey : null;
    if (apiKey === null)
      return {
        reason: `the session names no product (metadata.${STRIPE_PRODUCT_METADATA_KEY}) and the connection has no API key to read its line items`,
      };
    const items = await this.stripeApi.listLineItems(apiKey, sessionId);
    const products = await this.products.byLineItems(organizationId, items);
    if (products.length > 0) return { products };
    const prices = items.map((i) => i.priceId ?? i.productId ?? '?').join(', ');
    return { reason: `no product is linked to the session's line items (${prices || 'none'})` };
  }

  private async eventbrite(
    webhook: InboundWebhookEntity,
    connection: ConnectionEntity,
    actor: Actor,
  ): Promise<ProcessingOutcome> {
    const notification = readEventbriteNotification(webhook.payload, this.config.EVENTBRITE_API_URL);
    const secrets = this.secrets.open(connection.secrets);
    if (secrets.provider !== 'eventbrite') return failed('the connection holds no Eventbrite token');
    const order = await this.eventbriteApi.fetchRegistrations(notification, secrets.apiToken);
    const event = await this.calendar.eventByEventbriteId(
      connection.organizationId,
      order.eventbriteEventId,
      actor.traceparent,
    );
    if (!event) return ignored(`no CRM event is linked to Eventbrite event ${order.eventbriteEventId}`);
    // One at a time: leads takes the calls about one email one at a time anyway, and an order is small.
    for (const contact of order.contacts) {
      const { entryId } = await this.leads.resolveContact(actor, connection.tableId, contact);
      await this.calendar.register(actor, {
        eventId: event.id,
        entryId,
        email: contact.email,
        tableId: connection.tableId,
        externalOrderId: order.orderId,
      });
    }
    const note =
      order.skipped > 0
        ? `${order.skipped} attendee(s) left out: no valid email, cancelled or refunded, or past the ${INTEGRATION_LIMITS.attendeesPerOrder} read per order`
        : null;
    return { status: 'succeeded', note, purchases: [] };
  }
}
