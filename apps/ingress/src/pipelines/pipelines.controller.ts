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
import { CreatePipelineBody, type Page, type Pipeline, UpdatePipelineBody } from '@rocketlead/contracts';
import { ConnectAuthGuard, RequireScope } from '../auth/connect-auth.guard';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { PageQuery } from '../http/page.query';
import { CurrentRequest, type RequestContext } from '../http/request-context';
import { UuidParam } from '../http/uuid-param.pipe';
import { PipelinesService } from './pipelines.service';

/** The organization's deal pipelines: admin shapes them, read reads them. */
@Controller('connect/pipelines')
@UseGuards(ConnectAuthGuard)
export class PipelinesController {
  constructor(private readonly pipelines: PipelinesService) {}

  @Post()
  @RequireScope('admin')
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreatePipelineBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<Pipeline> {
    return this.pipelines.create(principal, dto, request);
  }

  @Get()
  @RequireScope('read')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: PageQuery,
    @CurrentRequest() request: RequestContext,
  ): Promise<Page<Pipeline>> {
    return this.pipelines.list(principal, query, request);
  }

  @Get(':id')
  @RequireScope('read')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<Pipeline> {
    return this.pipelines.get(principal, id, request);
  }

  @Patch(':id')
  @RequireScope('admin')
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Body() dto: UpdatePipelineBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<Pipeline> {
    return this.pipelines.update(principal, id, dto, request);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('admin')
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<void> {
    await this.pipelines.remove(principal, id, request);
  }
}
