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
import { CreateFormBody, type Form, type Page, UpdateFormBody } from '@rocketlead/contracts';
import { ConnectAuthGuard, RequireScope } from '../auth/connect-auth.guard';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { CurrentRequest, type RequestContext } from '../http/request-context';
import { UuidParam } from '../http/uuid-param.pipe';
import { ListFormsQuery } from './dto/list-forms.query';
import { FormsService } from './forms.service';

/** The organization's forms: admin shapes them, read reads them; anyone submits them under /public/forms. */
@Controller('connect/forms')
@UseGuards(ConnectAuthGuard)
export class FormsController {
  constructor(private readonly forms: FormsService) {}

  @Post()
  @RequireScope('admin')
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateFormBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<Form> {
    return this.forms.create(principal, dto, request);
  }

  @Get()
  @RequireScope('read')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListFormsQuery,
    @CurrentRequest() request: RequestContext,
  ): Promise<Page<Form>> {
    return this.forms.list(principal, query, request);
  }

  @Get(':id')
  @RequireScope('read')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<Form> {
    return this.forms.get(principal, id, request);
  }

  @Patch(':id')
  @RequireScope('admin')
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Body() dto: UpdateFormBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<Form> {
    return this.forms.update(principal, id, dto, request);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('admin')
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<void> {
    await this.forms.remove(principal, id, request);
  }
}
