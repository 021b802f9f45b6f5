import { Body, Controller, Header, Headers, HttpCode, Post } from '@nestjs/common';
import { FormBody } from '../http/form-body.parser';
import { CurrentRequest, type RequestContext } from '../http/request-context';
import { PublicDeliveryService } from './public-delivery.service';

/**
 * The SMS provider's callbacks (Twilio-style form posts): no Connect token; `X-Twilio-Signature` over the URL
 * and the form fields is the credential, checked by delivery. The answer is empty TwiML.
 */
@Controller('public/sms')
export class SmsCallbacksController {
  constructor(private readonly callbacks: PublicDeliveryService) {}

  /** A sent message's status changed (queued, sent, delivered, failed, ...). */
  @Post('status')
  @HttpCode(200)
  @FormBody()
  @Header('content-type', 'text/xml')
  status(
    @Body() params: Record<string, string> | undefined,
    @Headers('x-twilio-signature') signature: string | undefined,
    @CurrentRequest() request: RequestContext,
  ): Promise<string> {
    return this.callbacks.smsCallback('status', params, signature, request);
  }

  /** A message to one of the organization's numbers, e.g. a lead's reply. */
  @Post('inbound')
  @HttpCode(200)
  @FormBody()
  @Header('content-type', 'text/xml')
  inbound(
    @Body() params: Record<string, string> | undefined,
    @Headers('x-twilio-signature') signature: string | undefined,
    @CurrentRequest() request: RequestContext,
  ): Promise<string> {
    return this.callbacks.smsCallback('inbound', params, signature, request);
  }
}
