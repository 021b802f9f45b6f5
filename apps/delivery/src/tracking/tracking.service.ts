import { Inject, Injectable } from '@nestjs/common';
import {
  DomainError,
  EMAIL_CLICKED,
  EMAIL_OPENED,
  EMAIL_UNSUBSCRIBED,
  SMS_FAILED,
  SMS_REPLIED,
  createEvent,
  type CloudEvent,
  type DeliveryOutcomeData,
  type EmailInteractionData,
  type EmailTrackCommand,
  type EmailTrackResult,
  type SmsCallbackCommand,
  type SmsRepliedData,
} from '@rocketlead/contracts';
import { DELIVERY_CONFIG } from '../config.token';
import type { DeliveryConfig } from '../config';
import { TrackingTokens } from '../email';
import { toE164, verifyTwilioSignature } from '../sms';
import { DeliveriesRepository } from '../deliveries/deliveries.repository';
import type { DeliveryEntity } from '../deliveries/delivery.entity';
import { EVENT_SOURCE, deliveryActor } from '../deliveries/outcome-events';

const linkNotFound = (): DomainError => new DomainError('NOT_FOUND', 'Link not found');
const CARRIER_FAILURES = new Set(['failed', 'undelivered']);

/** What recipients do with what was sent: email opens, clicks and unsubscribes; SMS statuses and replies. */
@Injectable()
export class TrackingService {
  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly tokens: TrackingTokens,
    @Inject(DELIVERY_CONFIG) private readonly config: DeliveryConfig,
  ) {}

  async emailTrack(command: EmailTrackCommand): Promise<EmailTrackResult> {
    const claims = this.tokens.verify(command.token, command.kind);
    if (!claims) throw linkNotFound();
    const row = await this.deliveries.byTrackedId(claims.deliveryId);
    if (!row || row.payload.kind !== 'email') throw linkNotFound();
    const email = row.payload.to;
    const event = (type: string, url: string | null): CloudEvent =>
      this.event<EmailInteractionData>(row, type, { deliveryId: row.id, entryId: row.entryId, email, url });
    await this.deliveries.withEvents(async (manager) => {
      switch (claims.kind) {
        case 'open':
          // Opened once: later loads of the pixel change nothing.
          return (await this.deliveries.markOpened(manager, row.organizationId, row.id))
            ? [event(EMAIL_OPENED, null)]
            : [];
        case 'click':
          return [event(EMAIL_CLICKED, claims.url ?? null)];
        case 'unsubscribe':
          return (await this.deliveries.suppress(manager, row.organizationId, email, row.id))
            ? [event(EMAIL_UNSUBSCRIBED, null)]
            : [];
      }
    });
    return { redirectUrl: claims.kind === 'click' ? (claims.url ?? null) : null };
  }

  async smsCallback(command: SmsCallbackCommand): Promise<{ accepted: boolean }> {
    const token = this.config.SMS_AUTH_TOKEN;
    const url = `${this.config.PUBLIC_BASE_URL}/public/sms/${command.kind}`;
    if (!token || !verifyTwilioSignature(token, url, command.params, command.signature))
      throw new DomainError('FORBIDDEN', 'X-Twilio-Signature does not match');
    return command.kind === 'status' ? this.smsStatus(command.params) : this.smsInbound(command.params);
  }

  private async smsStatus(params: Record<string, string>): Promise<{ accepted: boolean }> {
    const status = params.MessageStatus ?? params.SmsStatus ?? '';
    const sid = params.MessageSid ?? params.SmsSid ?? '';
    if (!CARRIER_FAILURES.has(status) || !sid) return { accepted: true };
    const row = await this.deliveries.bySmsProviderId(sid);
    if (!row) return { accepted: false };
    const error = `the carrier reported the message ${status}${params.ErrorCode ? ` (error ${params.ErrorCode})` : ''}`;
    await this.deliveries.withEvents(async (manager) =>
      (await this.deliveries.markCarrierFailed(manager, row, error))
        ? [
            this.event<DeliveryOutcomeData>(row, SMS_FAILED, {
              deliveryId: row.id,
              kind: 'sms',
              status: 'failed',
              attempts: row.attempts,
              entryId: row.entryId,
              endpointId: null,
              runId: row.runId,
              automationId: row.automationId,
              stepIndex: row.stepIndex,
              error,
            }),
          ]
        : [],
    );
    return { accepted: true };
  }

  private async smsInbound(params: Record<string, string>): Promise<{ accepted: boolean }> {
    let from: string;
    try {
      from = toE164(params.From ?? '', this.config.SMS_DEFAULT_COUNTRY);
    } catch {
      return { accepted: false };
    }
    // The reply belongs to the lead last texted from the platform at that number.
    const row = await this.deliveries.latestSmsTo(from);
    if (!row) return { accepted: false };
    await this.deliveries.withEvents(() =>
      Promise.resolve([
        this.event<SmsRepliedData>(row, SMS_REPLIED, {
          entryId: row.entryId,
          deliveryId: row.id,
          from,
          body: (params.Body ?? '').slice(0, 1600),
          messageSid: params.MessageSid ?? params.SmsSid ?? '',
        }),
      ]),
    );
    return { accepted: true };
  }

  private event<T>(row: DeliveryEntity, type: string, data: T): CloudEvent<T> {
    return createEvent({
      type,
      source: EVENT_SOURCE,
      subject: row.id,
      data,
      actor: deliveryActor(row),
      causationId: row.id,
      depth: row.depth + 1,
    });
  }
}
