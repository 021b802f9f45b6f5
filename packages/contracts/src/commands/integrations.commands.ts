import { IsIn, IsObject, IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { COMMANDS } from '../names';
import {
  INTEGRATION_PROVIDERS,
  type IntegrationConnection,
  type IntegrationDelivery,
  type IntegrationProvider,
  type Page,
  type Product,
  type WebhookReceiveResult,
} from '../models';
import { IsNullable, NestedMessage } from '../message-validation';
import { PageCommand } from './page.command';
import { ByIdQuery, NAME_MAX } from './leads.commands';
import { PublicRequestMessage } from './forms.commands';

// Messages of the `integrations` service: provider connections, products, inbound provider webhooks.

/** Bounds of integrations (README, "Limits"). */
export const INTEGRATION_LIMITS = {
  /** Characters of a webhook secret, API key or API token. */
  secretLength: 500,
  connectionsPerOrganization: 50,
  productsPerOrganization: 1000,
  /** Characters of a Stripe product or price id. */
  stripeIdLength: 255,
  /** Largest provider webhook body ingress accepts (raw bytes). */
  webhookBodyBytes: 256 * 1024,
  /** Largest provider API answer read (an Eventbrite order with its attendees, a page of Stripe line items). */
  providerResponseBytes: 2 * 1024 * 1024,
  /** Attendees of one Eventbrite order processed at most (the rest is reported in the delivery's error). */
  attendeesPerOrder: 500,
  /** Line items of one Stripe checkout session read at most (one page). */
  lineItemsPerSession: 100,
} as const;

/** The `metadata` key of a Stripe checkout session that names the RocketLead product directly. */
export const STRIPE_PRODUCT_METADATA_KEY = 'rocketlead_product_id';

// ---- HTTP bodies (Connect API) ----

export class CreateStripeConnectionBody {
  @IsUUID()
  tableId: string;

  /** The endpoint's signing secret from the Stripe dashboard (`whsec_…`). */
  @IsString()
  @Length(1, INTEGRATION_LIMITS.secretLength)
  webhookSecret: string;

  /** A secret or restricted key able to read checkout sessions (line items); without it only metadata links. */
  @IsOptional()
  @IsString()
  @Length(1, INTEGRATION_LIMITS.secretLength)
  apiKey?: string;
}

export class CreateEventbriteConnectionBody {
  @IsUUID()
  tableId: string;

  /** A private token able to read the organization's orders and attendees. */
  @IsString()
  @Length(1, INTEGRATION_LIMITS.secretLength)
  apiToken: string;
}

/** New secrets for a connection; each only for its provider (Stripe: webhookSecret, apiKey; Eventbrite: apiToken). */
export class UpdateConnectionBody {
  @IsOptional()
  @IsString()
  @Length(1, INTEGRATION_LIMITS.secretLength)
  webhookSecret?: string;

  /** null removes the key (products are then matched by session metadata only). */
  @IsOptional()
  @IsNullable()
  @IsString()
  @Length(1, INTEGRATION_LIMITS.secretLength)
  apiKey?: string | null;

  @IsOptional()
  @IsString()
  @Length(1, INTEGRATION_LIMITS.secretLength)
  apiToken?: string;
}

export class CreateProductBody {
  @IsString()
  @Length(1, NAME_MAX)
  name: string;

  @IsOptional()
  @IsNullable()
  @IsString()
  @Length(1, INTEGRATION_LIMITS.stripeIdLength)
  stripeProductId?: string | null;

  @IsOptional()
  @IsNullable()
  @IsString()
  @Length(1, INTEGRATION_LIMITS.stripeIdLength)
  stripePriceId?: string | null;
}

export class UpdateProductBody {
  @IsOptional()
  @IsString()
  @Length(1, NAME_MAX)
  name?: string;

  @IsOptional()
  @IsNullable()
  @IsString()
  @Length(1, INTEGRATION_LIMITS.stripeIdLength)
  stripeProductId?: string | null;

  @IsOptional()
  @IsNullable()
  @IsString()
  @Length(1, INTEGRATION_LIMITS.stripeIdLength)
  stripePriceId?: string | null;
}

// ---- Commands ----

export class IntegrationsConnectStripeCommand extends CreateStripeConnectionBody {
  @IsUUID()
  organizationId: string;

  @IsOptional()
  @IsNullable()
  @IsString()
  @MaxLength(200)
  traceparent?: string | null;
}

export class IntegrationsConnectEventbriteCommand extends CreateEventbriteConnectionBody {
  @IsUUID()
  organizationId: string;

  @IsOptional()
  @IsNullable()
  @IsString()
  @MaxLength(200)
  traceparent?: string | null;
}

export class IntegrationsListCommand extends PageCommand {
  @IsOptional()
  @IsIn(INTEGRATION_PROVIDERS)
  provider?: IntegrationProvider;
}

export class IntegrationsGetCommand extends ByIdQuery {}

export class IntegrationsUpdateCommand extends UpdateConnectionBody {
  @IsUUID()
  organizationId: string;

  @IsUUID()
  id: string;

  @IsOptional()
  @IsNullable()
  @IsString()
  @MaxLength(200)
  traceparent?: string | null;
}

export class IntegrationsDeleteCommand extends ByIdQuery {}

/** The inbound webhooks of connection `id`, newest first. */
export class IntegrationsDeliveriesCommand extends PageCommand {
  @IsUUID()
  id: string;
}

/** A provider webhook as ingress received it; integrations verifies it (no organization is known yet). */
export class IntegrationsWebhookReceiveCommand {
  @IsIn(INTEGRATION_PROVIDERS)
  provider: IntegrationProvider;

  @IsUUID()
  connectionId: string;

  /** The raw body, exactly as received (Stripe signs these bytes). */
  @IsString()
  @MaxLength(INTEGRATION_LIMITS.webhookBodyBytes)
  body: string;

  /** The `Stripe-Signature` header (null when absent or for Eventbrite). */
  @IsNullable()
  @IsString()
  @MaxLength(4000)
  signature: string | null;

  @IsObject()
  @NestedMessage(() => PublicRequestMessage)
  request: PublicRequestMessage;
}

export class ProductsCreateCommand extends CreateProductBody {
  @IsUUID()
  organizationId: string;

  @IsOptional()
  @IsNullable()
  @IsString()
  @MaxLength(200)
  traceparent?: string | null;
}

export class ProductsListCommand extends PageCommand {}

export class ProductsGetCommand extends ByIdQuery {}

export class ProductsUpdateCommand extends UpdateProductBody {
  @IsUUID()
  organizationId: string;

  @IsUUID()
  id: string;

  @IsOptional()
  @IsNullable()
  @IsString()
  @MaxLength(200)
  traceparent?: string | null;
}

export class ProductsDeleteCommand extends ByIdQuery {}

/** Maps each command to its request class and response type, so callers and handlers agree. */
export interface IntegrationsCommandMap {
  [COMMANDS.integrationsConnectStripe]: [IntegrationsConnectStripeCommand, IntegrationConnection];
  [COMMANDS.integrationsConnectEventbrite]: [IntegrationsConnectEventbriteCommand, IntegrationConnection];
  [COMMANDS.integrationsList]: [IntegrationsListCommand, Page<IntegrationConnection>];
  [COMMANDS.integrationsGet]: [IntegrationsGetCommand, IntegrationConnection];
  [COMMANDS.integrationsUpdate]: [IntegrationsUpdateCommand, IntegrationConnection];
  [COMMANDS.integrationsDelete]: [IntegrationsDeleteCommand, IntegrationConnection];
  [COMMANDS.integrationsDeliveries]: [IntegrationsDeliveriesCommand, Page<IntegrationDelivery>];
  [COMMANDS.integrationsWebhookReceive]: [IntegrationsWebhookReceiveCommand, WebhookReceiveResult];
  [COMMANDS.productsCreate]: [ProductsCreateCommand, Product];
  [COMMANDS.productsList]: [ProductsListCommand, Page<Product>];
  [COMMANDS.productsGet]: [ProductsGetCommand, Product];
  [COMMANDS.productsUpdate]: [ProductsUpdateCommand, Product];
  [COMMANDS.productsDelete]: [ProductsDeleteCommand, Product];
}

export const INTEGRATIONS_COMMAND_CLASSES = {
  [COMMANDS.integrationsConnectStripe]: IntegrationsConnectStripeCommand,
  [COMMANDS.integrationsConnectEventbrite]: IntegrationsConnectEventbriteCommand,
  [COMMANDS.integrationsList]: IntegrationsListCommand,
  [COMMANDS.integrationsGet]: IntegrationsGetCommand,
  [COMMANDS.integrationsUpdate]: IntegrationsUpdateCommand,
  [COMMANDS.integrationsDelete]: IntegrationsDeleteCommand,
  [COMMANDS.integrationsDeliveries]: IntegrationsDeliveriesCommand,
  [COMMANDS.integrationsWebhookReceive]: IntegrationsWebhookReceiveCommand,
  [COMMANDS.productsCreate]: ProductsCreateCommand,
  [COMMANDS.productsList]: ProductsListCommand,
  [COMMANDS.productsGet]: ProductsGetCommand,
  [COMMANDS.productsUpdate]: ProductsUpdateCommand,
  [COMMANDS.productsDelete]: ProductsDeleteCommand,
} satisfies { [K in keyof IntegrationsCommandMap]: new () => IntegrationsCommandMap[K][0] };
