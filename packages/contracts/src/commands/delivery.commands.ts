import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { COMMANDS } from '../names';
import type { Page } from '../models';
import { IsNullable, NestedMessage } from '../message-validation';
import { ActorMessage } from './actor.message';
import { PAGE_LIMIT_MAX, PageCommand } from './page.command';
import { ByIdQuery } from './leads.commands';
import { WEBHOOK_FORMATS, type WebhookFormat } from '../events/automation.events';
import {
  DELIVERY_LIMITS,
  type Delivery,
  type DeliveryAttempt,
  type DeliveryWithAttempts,
  type WebhookEndpoint,
  type WebhookEndpointWithSecret,
} from '../delivery/delivery.models';

// Messages of the `delivery` service: webhook endpoints, deliveries and their attempts, and what comes back
// from recipients (email tracking links, SMS callbacks), forwarded by ingress.

export const DELIVERY_LIST_LIMIT_MAX = PAGE_LIMIT_MAX;
const HTTP_URL = /^https?:\/\/[^\s/?#]+[^\s]*$/i;
const URL_MESSAGE = 'url must be an http:// or https:// URL';
const EVENT_TYPE_PATTERN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*(\.\*)?$|^\*$/;

// ---- HTTP bodies (Connect API) ----

/** Everything of an endpoint but its URL: optional on create and on change. */
class WebhookEndpointOptions {
  @IsOptional()
  @IsIn(WEBHOOK_FORMATS, { message: `format must be one of ${WEBHOOK_FORMATS.join(', ')}` })
  format?: WebhookFormat;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(DELIVERY_LIMITS.eventTypesPerEndpoint)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  @Matches(EVENT_TYPE_PATTERN, {
    each: true,
    message: 'eventTypes must hold event types such as table.entry.added or calendar.appointment.*',
  })
  eventTypes?: string[];

  @IsOptional()
  @IsNullable()
  @IsString()
  @MaxLength(DELIVERY_LIMITS.descriptionLength)
  description?: string | null;

  @IsOptional()
  @IsInt()
  @Min(DELIVERY_LIMITS.timeoutMsMin)
  @Max(DELIVERY_LIMITS.timeoutMsMax)
  timeoutMs?: number;

  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class CreateWebhookEndpointBody extends WebhookEndpointOptions {
  @IsString({ message: URL_MESSAGE })
  @MaxLength(DELIVERY_LIMITS.urlLength)
  @Matches(HTTP_URL, { message: URL_MESSAGE })
  url: string;
}

export class UpdateWebhookEndpointBody extends WebhookEndpointOptions {
  @IsOptional()
  @IsString({ message: URL_MESSAGE })
  @MaxLength(DELIVERY_LIMITS.urlLength)
  @Matches(HTTP_URL, { message: URL_MESSAGE })
  url?: string;
}

// ---- Commands ----

class ActorById {
  @IsObject()
  @NestedMessage(() => ActorMessage)
  actor: ActorMessage;

  @IsUUID()
  id: string;
}

export class EndpointsCreateCommand extends CreateWebhookEndpointBody {
  @IsObject()
  @NestedMessage(() => ActorMessage)
  actor: ActorMessage;
}

export class EndpointsListCommand extends PageCommand {}

export class EndpointsGetCommand extends ByIdQuery {}

export class EndpointsUpdateCommand extends UpdateWebhookEndpointBody {
  @IsObject()
  @NestedMessage(() => ActorMessage)
  actor: ActorMessage;

  @IsUUID()
  id: string;
}

export class EndpointsDeleteCommand extends ActorById {}

export class EndpointsRotateSecretCommand extends ActorById {}

export class EndpointsAttemptsCommand extends PageCommand {
  @IsUUID()
  id: string;
}

export class EndpointsTestCommand extends ActorById {}

export class DeliveriesResendCommand extends ActorById {}

export class EntryDeliveriesCommand extends PageCommand {
  @IsUUID()
  entryId: string;
}

export const EMAIL_TRACKING_KINDS = ['open', 'click', 'unsubscribe'] as const;
export type EmailTrackingKind = (typeof EMAIL_TRACKING_KINDS)[number];

/** A recipient opened a tracking link (`/public/e/o|c|u/:token`); the token is checked by delivery. */
export class EmailTrackCommand {
  @IsIn(EMAIL_TRACKING_KINDS)
  kind: EmailTrackingKind;

  @IsString()
  @MaxLength(DELIVERY_LIMITS.trackingTokenLength)
  token: string;
}

export interface EmailTrackResult {
  /** Where a click goes next; null for opens and unsubscribes. */
  redirectUrl: string | null;
}

export const SMS_CALLBACK_KINDS = ['status', 'inbound'] as const;
export type SmsCallbackKind = (typeof SMS_CALLBACK_KINDS)[number];

/** A Twilio-style callback (`POST /public/sms/status|inbound`), its form fields and `X-Twilio-Signature`. */
export class SmsCallbackCommand {
  @IsIn(SMS_CALLBACK_KINDS)
  kind: SmsCallbackKind;

  @IsObject()
  params: Record<string, string>;

  @IsString()
  @MaxLength(DELIVERY_LIMITS.smsSignatureLength)
  signature: string;
}

export interface DeliveryCommandMap {
  [COMMANDS.endpointsCreate]: [EndpointsCreateCommand, WebhookEndpointWithSecret];
  [COMMANDS.endpointsList]: [EndpointsListCommand, Page<WebhookEndpoint>];
  [COMMANDS.endpointsGet]: [EndpointsGetCommand, WebhookEndpoint];
  [COMMANDS.endpointsUpdate]: [EndpointsUpdateCommand, WebhookEndpoint];
  [COMMANDS.endpointsDelete]: [EndpointsDeleteCommand, WebhookEndpoint];
  [COMMANDS.endpointsRotateSecret]: [EndpointsRotateSecretCommand, { secret: string }];
  [COMMANDS.endpointsAttempts]: [EndpointsAttemptsCommand, Page<DeliveryAttempt>];
  [COMMANDS.endpointsTest]: [EndpointsTestCommand, Delivery];
  [COMMANDS.deliveriesResend]: [DeliveriesResendCommand, Delivery];
  [COMMANDS.entryDeliveries]: [EntryDeliveriesCommand, Page<DeliveryWithAttempts>];
  [COMMANDS.emailTrack]: [EmailTrackCommand, EmailTrackResult];
  [COMMANDS.smsCallback]: [SmsCallbackCommand, { accepted: boolean }];
}

export const DELIVERY_COMMAND_CLASSES = {
  [COMMANDS.endpointsCreate]: EndpointsCreateCommand,
  [COMMANDS.endpointsList]: EndpointsListCommand,
  [COMMANDS.endpointsGet]: EndpointsGetCommand,
  [COMMANDS.endpointsUpdate]: EndpointsUpdateCommand,
  [COMMANDS.endpointsDelete]: EndpointsDeleteCommand,
  [COMMANDS.endpointsRotateSecret]: EndpointsRotateSecretCommand,
  [COMMANDS.endpointsAttempts]: EndpointsAttemptsCommand,
  [COMMANDS.endpointsTest]: EndpointsTestCommand,
  [COMMANDS.deliveriesResend]: DeliveriesResendCommand,
  [COMMANDS.entryDeliveries]: EntryDeliveriesCommand,
  [COMMANDS.emailTrack]: EmailTrackCommand,
  [COMMANDS.smsCallback]: SmsCallbackCommand,
} satisfies { [K in keyof DeliveryCommandMap]: new () => DeliveryCommandMap[K][0] };
