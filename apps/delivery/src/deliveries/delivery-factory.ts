import { Inject, Injectable } from '@nestjs/common';
import {
  EVENT_DEFINITIONS,
  FORM_EVENT_CODES,
  TABLE_ENTRY_ADDED,
  dataAt,
  formEventCode,
  isKnownEventType,
  type CloudEvent,
  type DeliveryRequestData,
  type NotificationRequestedData,
  type TableEntry,
  type WebhookFormat,
} from '@rocketlead/contracts';
import { DELIVERY_CONFIG } from '../config.token';
import type { DeliveryConfig } from '../config';
import { formWebhookBody, type FormLead } from '../outbound';
import { instrumentEmail, TrackingTokens } from '../email';
import { InvalidPhoneNumberError, toE164 } from '../sms';
import { LeadsGateway } from '../gateways/leads.gateway';
import { DeliveryEntity, type DeliveryPayload } from './delivery.entity';
import { DeliveriesRepository } from './deliveries.repository';
import { outcomeEvents } from './outcome-events';
import type { SubscribedEndpoint } from '../endpoints/endpoints.repository';
import type { WebhookEndpoint } from '@rocketlead/contracts';

const EMAIL_ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const FORM_CODES: readonly string[] = FORM_EVENT_CODES;

/** Where a delivery goes and what caused it; the factory adds what it sends. */
interface Origin {
  organizationId: string;
  idempotencyKey: string;
  eventType: string;
  entryId: string | null;
  correlationId: string;
  causationId: string | null;
  depth: number;
  run: { runId: string; automationId: string; stepIndex: number } | null;
}

/** A delivery that failed before any attempt (unknown endpoint, unusable number), with its event. */
interface Refused {
  row: DeliveryEntity;
  events: CloudEvent[];
}

export interface Built {
  rows: DeliveryEntity[];
  events: CloudEvent[];
}

/** An object (an array too: its indexes become form keys), read field by field. */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isEntry(value: unknown): value is TableEntry {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.tableId === 'string' &&
    typeof value.data === 'object'
  );
}

function formLead(entry: TableEntry): FormLead {
  return {
    id: entry.id,
    tableId: entry.tableId,
    leadStateId: entry.leadStateId,
    createdAt: entry.createdAt,
    data: entry.data as Record<string, unknown>,
  };
}

/** The URL as history shows it: without its query string (the form format's secrets travel there). */
function shownUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return url.split('?')[0]!;
  }
}

/**
 * Turns what asks for a delivery (an automation's request, another service's notification, a subscribed
 * domain event, a test, a resend) into delivery rows whose payload is frozen: every attempt sends the same
 * bytes.
 */
@Injectable()
export class DeliveryFactory {
  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly leads: LeadsGateway,
    private readonly tokens: TrackingTokens,
    @Inject(DELIVERY_CONFIG) private readonly config: DeliveryConfig,
  ) {}

  /** An automation's `send_*` step. */
  async fromRequest(
    event: CloudEvent<DeliveryRequestData>,
    endpoint: WebhookEndpoint | null | undefined,
  ): Promise<Built> {
    const request = event.data;
    const origin: Origin = {
      organizationId: event.organizationid,
      idempotencyKey: `run:${request.idempotencyKey}`,
      eventType: request.webhook?.eventType ?? event.type,
      entryId: request.entryId,
      correlationId: event.correlationid,
      causationId: event.id,
      depth: event.depth,
      run: { runId: request.runId, automationId: request.automationId, stepIndex: request.stepIndex },
    };
    switch (request.kind) {
      case 'webhook':
        return this.requestedWebhook(event, origin, endpoint);
      case 'email':
        return this.email(origin, request.email);
      case 'sms':
        return this.sms(origin, request.sms);
    }
  }

  /**
   * What another service asks to send outside any run: a verification email the contact asked for (sent
   * as written) or a form webhook of a lead to a raw URL.
   */
  async fromNotification(event: CloudEvent<NotificationRequestedData>): Promise<Built> {
    const request = event.data;
    const origin: Origin = {
      organizationId: event.organizationid,
      idempotencyKey: `notification:${request.idempotencyKey}`,
      // A form webhook is known by the code it sends (as a run's form webhook is).
      eventType: request.kind === 'webhook' && request.webhook ? request.webhook.formCode : event.type,
      entryId: request.entryId,
      correlationId: event.correlationid,
      causationId: event.id,
      depth: event.depth,
      run: null,
    };
    switch (request.kind) {
      case 'email':
        return this.email(origin, request.email, { asWritten: true });
      case 'webhook':
        return this.notifiedWebhook(origin, request.webhook, new Date(event.time));
    }
  }

  /** A domain event to the endpoints subscribed to it. */
  async fromSubscription(event: CloudEvent, endpoints: SubscribedEndpoint[]): Promise<Built> {
    const entryField = isKnownEventType(event.type) ? EVENT_DEFINITIONS[event.type].entryIdField : null;
    const entryId = entryField ? dataAt(event.data, entryField) : undefined;
    const base = (endpoint: { id: string }): Origin => ({
      organizationId: event.organizationid,
      idempotencyKey: `event:${endpoint.id}:${event.id}`,
      eventType: event.type,
      entryId: typeof entryId === 'string' ? entryId : null,
      correlationId: event.correlationid,
      causationId: event.id,
      depth: event.depth,
      run: null,
    });
    const standardBody = JSON.stringify(event);
    let lead: FormLead | null | undefined;
    const rows: DeliveryEntity[] = [];
    for (const endpoint of endpoints) {
      const origin = base(endpoint);
      if (endpoint.format === 'standard') {
        rows.push(
          this.webhookRow(origin, endpoint.id, null, 'standard', shownUrl(endpoint.url), standardBody),
        );
        continue;
      }
      if (lead === undefined)
        lead = await this.leadOf(
          event.organizationid,
          event.type === TABLE_ENTRY_ADDED ? event.data : null,
          origin.entryId,
        );
      const body = formWebhookBody(
        lead,
        lead ? null : (event.data as Record<string, unknown>),
        formEventCode(event.type, event.data),
        new Date(event.time),
      );
      rows.push(this.webhookRow(origin, endpoint.id, null, 'form', shownUrl(endpoint.url), body));
    }
    return { rows, events: [] };
  }

  /** `POST /connect/webhook_endpoints/:id/test`: a `webhook.test` event to that endpoint. */
  test(organizationId: string, endpoint: WebhookEndpoint, event: CloudEvent): DeliveryEntity {
    const origin: Origin = {
      organizationId,
      idempotencyKey: `test:${event.id}`,
      eventType: event.type,
      entryId: null,
      correlationId: event.correlationid,
      causationId: null,
      depth: 0,
      run: null,
    };
    const body =
      endpoint.format === 'standard'
        ? JSON.stringify(event)
        : formWebhookBody(null, event.data as Record<string, unknown>, event.type, new Date(event.time));
    return this.webhookRow(origin, endpoint.id, null, endpoint.format, shownUrl(endpoint.url), body);
  }

  /** The same delivery again, as a new delivery (new id, new attempt log). */
  resend(original: DeliveryEntity, correlationId: string): DeliveryEntity {
    const id = this.deliveries.newId();
    return Object.assign(new DeliveryEntity(), {
      ...original,
      id,
      idempotencyKey: `resend:${id}`,
      ...this.unattempted(),
      correlationId,
      payload:
        original.payload.kind === 'email' && !original.payload.asWritten
          ? this.instrument(id, original.payload)
          : original.payload,
    });
  }

  private async requestedWebhook(
    event: CloudEvent<DeliveryRequestData>,
    origin: Origin,
    endpoint: WebhookEndpoint | null | undefined,
  ): Promise<Built> {
    const webhook = event.data.webhook;
    if (!webhook) return this.refused(origin, 'webhook', '', 'the request has no webhook');
    const endpointId = webhook.endpointId;
    if (endpointId && !endpoint)
      return this.refused(origin, 'webhook', '', 'the endpoint does not exist', endpointId);
    if (endpoint && !endpoint.enabled)
      return this.refused(origin, 'webhook', shownUrl(endpoint.url), 'the endpoint is disabled', endpoint.id);
    const url = endpoint ? endpoint.url : webhook.url;
    if (!url || !/^https?:\/\//i.test(url))
      return this.refused(origin, 'webhook', url ?? '', 'the URL must be http(s)');
    const format = endpoint ? endpoint.format : webhook.format;
    const explicitCode =
      webhook.eventType && FORM_CODES.includes(webhook.eventType) ? webhook.eventType : null;
    const type = explicitCode ? 'automation.webhook' : (webhook.eventType ?? 'automation.webhook');
    let body: string;
    if (format === 'standard') {
      body = JSON.stringify({
        ...event,
        id: event.id,
        type,
        source: `/automation/${event.data.automationId}`,
        data: webhook.body,
      });
    } else {
      const fields = isRecord(webhook.body) ? webhook.body : null;
      const lead = await this.leadOf(origin.organizationId, fields?.entry, origin.entryId);
      const extra = lead ? null : fields;
      const code = explicitCode ?? webhook.formCode ?? formEventCode(type);
      body = formWebhookBody(lead, extra, code, new Date(event.time));
    }
    const row = this.webhookRow(
      origin,
      endpoint?.id ?? null,
      endpoint ? null : url,
      format,
      shownUrl(url),
      body,
    );
    return { rows: [row], events: [] };
  }

  /**
   * `asWritten`: an email the contact asked for (a verification link): neither tracked nor given an
   * unsubscribe link, and sent even to an address that unsubscribed.
   */
  private async email(
    origin: Origin,
    email: DeliveryRequestData['email'],
    { asWritten }: { asWritten: boolean } = { asWritten: false },
  ): Promise<Built> {
    if (!email) return this.refused(origin, 'email', '', 'the request has no email');
    const to = email.to.trim();
    if (!EMAIL_ADDRESS.test(to))
      return this.refused(origin, 'email', to, `"${to}" is not a usable email address`);
    const message = {
      kind: 'email' as const,
      to,
      subject: email.subject,
      text: email.text,
      html: email.html,
    };
    const id = this.deliveries.newId();
    if (asWritten)
      return { rows: [this.row(origin, id, 'email', to, { ...message, asWritten })], events: [] };
    if (await this.deliveries.suppressed(origin.organizationId, to))
      return this.refused(origin, 'email', to, 'the recipient unsubscribed');
    return { rows: [this.row(origin, id, 'email', to, this.instrument(id, message))], events: [] };
  }

  /** A form webhook (unsigned, Lead Actions style) of the notification's lead to a raw URL. */
  private async notifiedWebhook(
    origin: Origin,
    webhook: NotificationRequestedData['webhook'],
    time: Date,
  ): Promise<Built> {
    if (!webhook) return this.refused(origin, 'webhook', '', 'the request has no webhook');
    const url = webhook.url.trim();
    if (!/^https?:\/\//i.test(url))
      return this.refused(origin, 'webhook', shownUrl(url), 'the URL must be http(s)');
    const lead = await this.leadOf(origin.organizationId, null, origin.entryId);
    const body = formWebhookBody(lead, null, webhook.formCode, time);
    return { rows: [this.webhookRow(origin, null, url, 'form', shownUrl(url), body)], events: [] };
  }

  private sms(origin: Origin, sms: DeliveryRequestData['sms']): Built {
    if (!sms) return this.refused(origin, 'sms', '', 'the request has no text message');
    let to: string;
    try {
      to = toE164(sms.to, this.config.SMS_DEFAULT_COUNTRY);
    } catch (error) {
      if (error instanceof InvalidPhoneNumberError) return this.refused(origin, 'sms', sms.to, error.message);
      throw error;
    }
    return {
      rows: [this.row(origin, this.deliveries.newId(), 'sms', to, { kind: 'sms', to, body: sms.body })],
      events: [],
    };
  }

  private instrument(
    id: string,
    email: { kind: 'email'; to: string; subject: string; text: string | null; html: string | null },
  ): DeliveryPayload {
    const tracked = instrumentEmail({
      html: email.html,
      text: email.text,
      deliveryId: id,
      baseUrl: this.config.PUBLIC_BASE_URL,
      tokens: this.tokens,
    });
    return { ...email, html: tracked.html, text: tracked.text, unsubscribeUrl: tracked.unsubscribeUrl };
  }

  /** The lead a form webhook sends: the one given, or the one the event is about (null when gone). */
  private async leadOf(
    organizationId: string,
    given: unknown,
    entryId: string | null,
  ): Promise<FormLead | null> {
    if (isEntry(given)) return formLead(given);
    if (!entryId) return null;
    const entry = await this.leads.entry(organizationId, entryId);
    return entry ? formLead(entry) : null;
  }

  private webhookRow(
    origin: Origin,
    endpointId: string | null,
    url: string | null,
    format: WebhookFormat,
    destination: string,
    body: string,
  ): DeliveryEntity {
    const row = this.row(origin, this.deliveries.newId(), 'webhook', destination, { kind: 'webhook', body });
    return Object.assign(row, { endpointId, url, format });
  }

  private row(
    origin: Origin,
    id: string,
    kind: DeliveryEntity['kind'],
    destination: string,
    payload: DeliveryPayload,
  ): DeliveryEntity {
    return Object.assign(new DeliveryEntity(), {
      id,
      organizationId: origin.organizationId,
      idempotencyKey: origin.idempotencyKey,
      kind,
      eventType: origin.eventType,
      entryId: origin.entryId,
      endpointId: null,
      url: null,
      format: null,
      destination,
      payload,
      correlationId: origin.correlationId,
      causationId: origin.causationId,
      depth: origin.depth,
      runId: origin.run?.runId ?? null,
      automationId: origin.run?.automationId ?? null,
      stepIndex: origin.run?.stepIndex ?? null,
      ...this.unattempted(),
    } satisfies DeliveryEntity);
  }

  /** The state of a delivery nobody has tried yet. */
  private unattempted() {
    return {
      status: 'pending' as const,
      attempts: 0,
      nextAttemptAt: null,
      lastError: null,
      createdAt: this.deliveries.now(),
      completedAt: null,
      openedAt: null,
      providerMessageId: null,
    };
  }

  private refused(
    origin: Origin,
    kind: DeliveryEntity['kind'],
    destination: string,
    error: string,
    endpointId: string | null = null,
  ): Built {
    const row = this.row(
      origin,
      this.deliveries.newId(),
      kind,
      destination,
      kind === 'webhook'
        ? { kind, body: '' }
        : kind === 'email'
          ? { kind, to: destination, subject: '', text: null, html: null }
          : { kind, to: destination, body: '' },
    );
    Object.assign(row, { status: 'failed', lastError: error, completedAt: row.createdAt, endpointId });
    const refused: Refused = { row, events: outcomeEvents(row, 'failed', 0, error, row.createdAt) };
    return { rows: [refused.row], events: refused.events };
  }
}
