import { Controller, Get, Header, HttpCode, Param, Post, Redirect } from '@nestjs/common';
import { FormBody } from '../http/form-body.parser';
import { CurrentRequest, type RequestContext } from '../http/request-context';
import { PublicDeliveryService } from './public-delivery.service';

// Wildcard routes: a signed token is longer than the router's 100-character limit for a `:param`.
const TOKEN = '*';

/** The links of sent emails, opened by recipients: no Connect token; the link's token is the credential. */
@Controller('public/e')
export class EmailTrackingController {
  constructor(private readonly tracking: PublicDeliveryService) {}

  /** Always the pixel (200), whatever the token. */
  @Get(`o/${TOKEN}`)
  @Header('content-type', 'image/gif')
  @Header('cache-control', 'no-store')
  open(@Param(TOKEN) token: string, @CurrentRequest() request: RequestContext): Promise<Buffer> {
    return this.tracking.open(token, request);
  }

  @Get(`c/${TOKEN}`)
  @Redirect('', 302)
  @Header('cache-control', 'no-store')
  click(@Param(TOKEN) token: string, @CurrentRequest() request: RequestContext): Promise<{ url: string }> {
    return this.tracking.click(token, request);
  }

  @Get(`u/${TOKEN}`)
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  unsubscribe(@Param(TOKEN) token: string, @CurrentRequest() request: RequestContext): Promise<string> {
    return this.tracking.unsubscribe(token, request);
  }

  /** RFC 8058 one-click: mail clients POST `List-Unsubscribe=One-Click`, which needs no reading. */
  @Post(`u/${TOKEN}`)
  @HttpCode(200)
  @FormBody('form-or-multipart')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  oneClickUnsubscribe(
    @Param(TOKEN) token: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<string> {
    return this.tracking.unsubscribe(token, request);
  }
}
