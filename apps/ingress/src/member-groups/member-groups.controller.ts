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
import {
  CreateMemberGroupBody,
  type MemberGroup,
  type Page,
  UpdateMemberGroupBody,
} from '@rocketlead/contracts';
import { ConnectAuthGuard, RequireScope } from '../auth/connect-auth.guard';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { PageQuery } from '../http/page.query';
import { CurrentRequest, type RequestContext } from '../http/request-context';
import { UuidParam } from '../http/uuid-param.pipe';
import { MemberGroupsService } from './member-groups.service';

/** Groups of members that assignment picks from: admin changes them, read reads them. */
@Controller('connect/member_groups')
@UseGuards(ConnectAuthGuard)
export class MemberGroupsController {
  constructor(private readonly groups: MemberGroupsService) {}

  @Post()
  @RequireScope('admin')
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateMemberGroupBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<MemberGroup> {
    return this.groups.create(principal, dto, request);
  }

  @Get()
  @RequireScope('read')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: PageQuery,
    @CurrentRequest() request: RequestContext,
  ): Promise<Page<MemberGroup>> {
    return this.groups.list(principal, query, request);
  }

  @Get(':id')
  @RequireScope('read')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<MemberGroup> {
    return this.groups.get(principal, id, request);
  }

  @Patch(':id')
  @RequireScope('admin')
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Body() dto: UpdateMemberGroupBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<MemberGroup> {
    return this.groups.update(principal, id, dto, request);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('admin')
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<void> {
    await this.groups.remove(principal, id, request);
  }
}
