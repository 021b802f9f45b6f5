import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import {
  type ActivityItem,
  type DeliveryWithAttempts,
  type Page,
  type TableEntry,
  ApplyTagBody,
  CreateTableEntryBody,
  UpdateTableEntryBody,
} from '@rocketlead/contracts';
import { ConnectAuthGuard, RequireScope } from '../auth/connect-auth.guard';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { CurrentRequest, type RequestContext } from '../http/request-context';
import { PageQuery } from '../http/page.query';
import { UuidParam } from '../http/uuid-param.pipe';
import { DeliveryPageQuery } from '../deliveries/dto/delivery-page.query';
import { ActivityQuery } from './dto/activity.query';
import { ListTableEntriesQuery } from './dto/list-table-entries.query';
import { TableEntriesService } from './table-entries.service';

@Controller('connect/table_entries')
@UseGuards(ConnectAuthGuard)
export class TableEntriesController {
  constructor(private readonly entries: TableEntriesService) {}

  @Post()
  @RequireScope('write')
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateTableEntryBody,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentRequest() request: RequestContext,
  ): Promise<TableEntry> {
    return this.entries.create(principal, dto, idempotencyKey, request);
  }

  @Get()
  @RequireScope('read')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListTableEntriesQuery,
    @CurrentRequest() request: RequestContext,
  ): Promise<Page<TableEntry>> {
    return this.entries.list(principal, query, request);
  }

  @Get(':id')
  @RequireScope('read')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<TableEntry> {
    return this.entries.get(principal, id, request);
  }

  @Patch(':id')
  @RequireScope('write')
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Body() dto: UpdateTableEntryBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<TableEntry> {
    return this.entries.update(principal, id, dto, request);
  }

  /** 204: the lead is deleted for good, with its tags, milestones, deals and form submissions. */
  @Delete(':id')
  @HttpCode(204)
  @RequireScope('admin')
  remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<void> {
    return this.entries.remove(principal, id, request);
  }

  /** 200 with the entry: tagging changes the entry, it creates nothing. */
  @Post(':id/tags')
  @HttpCode(200)
  @RequireScope('write')
  applyTag(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Body() dto: ApplyTagBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<TableEntry> {
    return this.entries.applyTag(principal, id, dto, request);
  }

  @Delete(':id/tags/:tagId')
  @HttpCode(200)
  @RequireScope('write')
  removeTag(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Param('tagId', UuidParam('tagId')) tagId: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<TableEntry> {
    return this.entries.removeTag(principal, id, tagId, request);
  }

  /** The entries linked to this one by duplicate detection. */
  @Get(':id/duplicates')
  @RequireScope('read')
  duplicates(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Query() query: PageQuery,
    @CurrentRequest() request: RequestContext,
  ): Promise<Page<TableEntry>> {
    return this.entries.duplicates(principal, id, query, request);
  }

  /** The lead's deliveries (webhooks, emails, SMS) with their attempts, newest first. */
  @Get(':id/deliveries')
  @RequireScope('read')
  deliveries(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Query() query: DeliveryPageQuery,
    @CurrentRequest() request: RequestContext,
  ): Promise<Page<DeliveryWithAttempts>> {
    return this.entries.deliveries(principal, id, query, request);
  }

  /** The lead's activity timeline: its events, automation runs and steps, and tasks, newest first. */
  @Get(':id/activity')
  @RequireScope('read')
  activity(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Query() query: ActivityQuery,
    @CurrentRequest() request: RequestContext,
  ): Promise<Page<ActivityItem>> {
    return this.entries.activity(principal, id, query, request);
  }
}
