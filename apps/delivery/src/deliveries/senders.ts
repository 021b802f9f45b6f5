import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { DELIVERY_LIMITS } from '@rocketlead/contracts';
import { DELIVERY_CONFIG } from '../config.token';
import type { DeliveryConfig } from '../config';
import { EndpointsRepository, UnreadableSecretError } from '../endpoints/endpoints.repository';
import { DestinationGuard, HttpSender, standardWebhookHeaders } from '../outbound';
import { SmtpMailer } from '../email';
import { SmsClient } from '../sms';
import { DeliveriesRepository } from './deliveries.repository';
import type { DeliveryEntity } from './delivery.entity';
import { laneOf } from './lane';

/** One attempt's result, whatever was sent. */
export interface AttemptResult {
  ok: boolean;
  /** Retrying cannot help (refused destination, permanent SMTP rejection, deleted endpoint). */
  permanent: boolean;
  /** The endpoint answered 410 Gone: stop and disable it. */
  gone: boolean;
  responseStatus: number | null;
  durationMs: number;
  responseBody: string | null;
  error: string | null;
  retryAfterMs: number | null;
  /** The provider's id of what was sent (an SMS sid), to match its callbacks. */
  providerMessageId?: string | null;
}

const failed = (error: string): AttemptResult => ({
  ok: false,
  permanent: true,
  gone: false,
  responseStatus: null,
  durationMs: 0,
  responseBody: null,
  error,
  retryAfterMs: null,
});

const RAW_URL_TIMEOUT_MS = DELIVERY_LIMITS.timeoutMsDefault;

/** The three ways out: HTTP (SSRF-guarded), SMTP and the SMS API. Owns their connections. */
@Injectable()
export class Senders implements OnApplicationShutdown {
  private readonly http: HttpSender;
  private readonly mailer: SmtpMailer;
  private readonly sms: SmsClient;

  constructor(
    @Inject(DELIVERY_CONFIG) private readonly config: DeliveryConfig,
    private readonly endpoints: EndpointsRepository,
    private readonly deliveries: DeliveriesRepository,
  ) {
    this.http = new HttpSender(new DestinationGuard(config.DELIVERY_ALLOWED_CIDRS), {
      connectionsPerOrigin: config.DELIVERY_ENDPOINT_CONCURRENCY,
    });
    this.mailer = new SmtpMailer(config.SMTP_URL);
    this.sms = new SmsClient({
      apiUrl: config.SMS_API_URL,
      accountSid: config.SMS_ACCOUNT_SID,
      authToken: config.SMS_AUTH_TOKEN,
      from: config.SMS_FROM,
      statusCallbackUrl: `${config.PUBLIC_BASE_URL}/public/sms/status`,
    });
  }

  send(row: DeliveryEntity): Promise<AttemptResult> {
    const payload = row.payload;
    switch (payload.kind) {
      case 'webhook':
        return this.webhook(row, payload.body);
      case 'email':
        return this.email(row, payload);
      case 'sms':
        return this.text(payload.to, payload.body);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.mailer.close();
    await Promise.all([this.http.close(), this.sms.close()]);
  }

  private async webhook(row: DeliveryEntity, body: string): Promise<AttemptResult> {
    let url = row.url;
    let timeoutMs: number = RAW_URL_TIMEOUT_MS;
    let secrets: string[] = [];
    if (row.endpointId) {
      let found;
      try {
        found = await this.endpoints.forSending(row.organizationId, row.endpointId, this.deliveries.now());
      } catch (error) {
        if (error instanceof UnreadableSecretError) return failed(error.message);
        throw error;
      }
      if (!found) return failed('the endpoint was deleted');
      if (!found.endpoint.enabled) return failed('the endpoint is disabled');
      url = found.endpoint.url;
      timeoutMs = found.endpoint.timeoutMs;
      secrets = found.secrets;
    }
    if (!url) return failed('no URL to send to');
    const timestamp = Math.floor(this.deliveries.now().getTime() / 1000);
    const headers =
      // The format the body was frozen in, whatever the endpoint says now.
      row.format === 'form'
        ? // The form format is authenticated by a secret in the URL (Lead Actions); the id still dedupes.
          { 'content-type': 'application/x-www-form-urlencoded', 'webhook-id': row.id }
        : standardWebhookHeaders(row.id, timestamp, body, secrets);
    // Its own connections: a hanging endpoint never holds the ones another endpoint on its host needs.
    const result = await this.http.send({ url, headers, body, timeoutMs, pool: laneOf(row) });
    return {
      ok: result.ok,
      permanent: result.refused,
      gone: result.status === 410,
      responseStatus: result.status,
      durationMs: result.durationMs,
      responseBody: result.responseBody,
      error: result.error,
      retryAfterMs: result.retryAfterMs,
    };
  }

  private async email(
    row: DeliveryEntity,
    payload: {
      to: string;
      subject: string;
      text: string | null;
      html: string | null;
      unsubscribeUrl?: string;
      asWritten?: boolean;
    },
  ): Promise<AttemptResult> {
    // An email the contact asked for goes out even after they unsubscribed from the others.
    if (!payload.asWritten && (await this.deliveries.suppressed(row.organizationId, payload.to)))
      return failed('the recipient unsubscribed');
    const result = await this.mailer.send({
      from: this.config.EMAIL_FROM,
      to: payload.to,
      subject: payload.subject,
      text: payload.text,
      html: payload.html,
      messageId: `<${row.id}@rocketlead>`,
      headers: payload.unsubscribeUrl
        ? {
            'List-Unsubscribe': `<${payload.unsubscribeUrl}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          }
        : {},
    });
    return {
      ok: result.ok,
      permanent: result.permanent,
      gone: false,
      responseStatus: result.responseCode,
      durationMs: result.durationMs,
      responseBody: result.response,
      error: result.error,
      retryAfterMs: null,
    };
  }

  private async text(to: string, body: string): Promise<AttemptResult> {
    const result = await this.sms.send(to, body);
    return {
      ok: result.ok,
      permanent: result.permanent,
      gone: false,
      responseStatus: result.status,
      durationMs: result.durationMs,
      responseBody: result.responseBody,
      error: result.error,
      retryAfterMs: result.retryAfterMs,
      providerMessageId: result.messageSid,
    };
  }
}
