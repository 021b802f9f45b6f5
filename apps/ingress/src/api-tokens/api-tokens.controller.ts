import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ConnectAuthGuard, RequireScope } from '../auth/connect-auth.guard';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { UuidParam } from '../http/uuid-param.pipe';
import { ApiTokensService, type ApiTokenView } from './api-tokens.service';
import { CreateApiTokenDto } from './dto/create-api-token.dto';

@Controller('connect/api_tokens')
@UseGuards(ConnectAuthGuard)
@RequireScope('admin')
export class ApiTokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  @Post()
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateApiTokenDto,
  ): Promise<ApiTokenView & { token: string }> {
    return this.tokens.create(principal, dto);
  }

  @Get()
  list(@CurrentPrincipal() principal: Principal): Promise<ApiTokenView[]> {
    return this.tokens.list(principal);
  }

  @Delete(':id')
  @HttpCode(204)
  revoke(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam()) id: string): Promise<void> {
    return this.tokens.revoke(principal, id);
  }
}
