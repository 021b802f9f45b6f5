import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { CreateMemberBody, type Member, type Page, UpdateMemberBody } from '@rocketlead/contracts';
import { ConnectAuthGuard, RequireScope } from '../auth/connect-auth.guard';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { CurrentRequest, type RequestContext } from '../http/request-context';
import { UuidParam } from '../http/uuid-param.pipe';
import { ListMembersQuery } from './dto/list-members.query';
import { MembersService } from './members.service';

/** The people leads are assigned to: admin changes them, read reads them. */
@Controller('connect/members')
@UseGuards(ConnectAuthGuard)
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @Post()
  @RequireScope('admin')
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateMemberBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<Member> {
    return this.members.create(principal, dto, request);
  }

  @Get()
  @RequireScope('read')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListMembersQuery,
    @CurrentRequest() request: RequestContext,
  ): Promise<Page<Member>> {
    return this.members.list(principal, query, request);
  }

  @Get(':id')
  @RequireScope('read')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<Member> {
    return this.members.get(principal, id, request);
  }

  @Patch(':id')
  @RequireScope('admin')
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Body() dto: UpdateMemberBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<Member> {
    return this.members.update(principal, id, dto, request);
  }

  /** Deactivates: the member stays for the entries assigned to it but is never assigned again. */
  @Delete(':id')
  @HttpCode(204)
  @RequireScope('admin')
  async deactivate(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<void> {
    await this.members.deactivate(principal, id, request);
  }
}
