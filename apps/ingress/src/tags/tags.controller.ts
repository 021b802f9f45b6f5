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
import { CreateTagBody, type Page, type Tag, UpdateTagBody } from '@rocketlead/contracts';
import { ConnectAuthGuard, RequireScope } from '../auth/connect-auth.guard';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { PageQuery } from '../http/page.query';
import { CurrentRequest, type RequestContext } from '../http/request-context';
import { UuidParam } from '../http/uuid-param.pipe';
import { TagsService } from './tags.service';

/** The organization's tags: admin changes them, read reads them; entries are tagged under table_entries. */
@Controller('connect/tags')
@UseGuards(ConnectAuthGuard)
export class TagsController {
  constructor(private readonly tags: TagsService) {}

  @Post()
  @RequireScope('admin')
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateTagBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<Tag> {
    return this.tags.create(principal, dto, request);
  }

  @Get()
  @RequireScope('read')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: PageQuery,
    @CurrentRequest() request: RequestContext,
  ): Promise<Page<Tag>> {
    return this.tags.list(principal, query, request);
  }

  @Get(':id')
  @RequireScope('read')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<Tag> {
    return this.tags.get(principal, id, request);
  }

  @Patch(':id')
  @RequireScope('admin')
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Body() dto: UpdateTagBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<Tag> {
    return this.tags.update(principal, id, dto, request);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('admin')
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<void> {
    await this.tags.remove(principal, id, request);
  }
}
