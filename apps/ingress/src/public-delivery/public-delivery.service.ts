import { Injectable } from '@nestjs/common';
import {
  COMMANDS,
  DELIVERY_LIMITS,
  DomainError,
  type EmailTrackingKind,
  type EmailTrackResult,
  type SmsCallbackKind,
} from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';
import { JsonLogger } from '@rocketlead/observability';
import type { RequestContext } from '../http/request-context';
import { isRedirectable } from '../http/redirect-url';

/** A 1x1 GIF whose only pixel is transparent (43 bytes). */
export const TRANSPARENT_GIF = Buffer.from(
  [
    '474946383961', // GIF89a
    '01000100800000', // 1x1, a global colour table of 2 colours
    '000000ffffff', // the colour table: black, white
    '21f9040100000000', // graphic control extension: colour 0 is transparent
    '2c000000000100010000', // image descriptor: 1x1 at 0,0
    '0202440100', // LZW code size 2, one sub-block: clear, colour 0, end
    '3b', // trailer
  ].join(''),
  'hex',
);

/** The empty TwiML answer: the callback is taken, nothing is sent back to the sender. */
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

export const UNSUBSCRIBED_PAGE =
  '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
  '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Unsubscribed</title></head>' +
  '<body><p>You have been unsubscribed.</p></body></html>';

const linkNotFound = (): DomainError => new DomainError('NOT_FOUND', 'Link not found');

/**
 * What recipients send back, forwarded to `delivery`, which checks every token and signature: email tracking
 * links (open pixel, click, unsubscribe) and SMS provider callbacks. No Connect token is involved.
 */
@Injectable()
export class PublicDeliveryService {
  constructor(
    private readonly rpc: RpcClient,
    private readonly logger: JsonLogger,
  ) {}

  /**
   * The pixel is answered whatever happens: an email client shows no broken image and learns nothing about
   * the token. A slow delivery delays it at most by the RPC timeout.
   */
  async open(token: string, request: RequestContext): Promise<Buffer> {
    if (this.plausible(token)) {
      await this.track('open', token, request).catch((error: unknown) => {
        const notFound = error instanceof DomainError && error.code === 'NOT_FOUND';
        this.logger.event(notFound ? 'debug' : 'warn', 'email open not recorded', {
          error: (error as Error).message,
        });
      });
    }
    return TRANSPARENT_GIF;
  }

  /** Where the click goes: the link's original URL (delivery answers NOT_FOUND for a bad token). */
  async click(token: string, request: RequestContext): Promise<{ url: string }> {
    if (!this.plausible(token)) throw linkNotFound();
    const { redirectUrl } = await this.track('click', token, request);
    if (!isRedirectable(redirectUrl)) {
      this.logger.event('error', 'click token without an http(s) redirect URL', { redirectUrl });
      throw linkNotFound();
    }
    return { url: redirectUrl };
  }

  async unsubscribe(token: string, request: RequestContext): Promise<string> {
    if (!this.plausible(token)) throw linkNotFound();
    await this.track('unsubscribe', token, request);
    return UNSUBSCRIBED_PAGE;
  }

  /** Delivery verifies the signature against the form fields (FORBIDDEN when it does not match). */
  async smsCallback(
    kind: SmsCallbackKind,
    params: Record<string, string> | undefined,
    signature: string | undefined,
    request: RequestContext,
  ): Promise<string> {
    if (!signature || signature.length > DELIVERY_LIMITS.smsSignatureLength)
      throw new DomainError('FORBIDDEN', 'Missing or invalid X-Twilio-Signature');
    await this.rpc.request(
      COMMANDS.smsCallback,
      { kind, params: params ?? {}, signature },
      { traceparent: request.traceparent },
    );
    return EMPTY_TWIML;
  }

  private plausible(token: string): boolean {
    return token.length > 0 && token.length <= DELIVERY_LIMITS.trackingTokenLength;
  }

  private track(kind: EmailTrackingKind, token: string, request: RequestContext): Promise<EmailTrackResult> {
    return this.rpc.request(COMMANDS.emailTrack, { kind, token }, { traceparent: request.traceparent });
  }
}
