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
  Put,
  Query,
  UseGuards,
} from '@nestjs/common';
import {
  type Automation,
  type AutomationRun,
  type AutomationRunListItem,
  type AutomationTask,
  COMMANDS,
  CompleteTaskBody,
  CreateAutomationBody,
  DryRunBody,
  type DryRunResult,
  type Page,
  type SandboxSettings,
  SetSandboxBody,
  UpdateAutomationBody,
} from '@rocketlead/contracts';
import { ConnectAuthGuard, RequireScope } from '../auth/connect-auth.guard';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { CurrentRequest, type RequestContext } from '../http/request-context';
import { UuidParam } from '../http/uuid-param.pipe';
import { ListAutomationsQuery } from './dto/list-automations.query';
import { ListRunsQuery } from './dto/list-runs.query';
import { ListTasksQuery } from './dto/list-tasks.query';
import { AutomationsService } from './automations.service';

/** The automations API (CRM Factory paths): admin changes automations and the sandbox, read reads them. */
@Controller('api/v1')
@UseGuards(ConnectAuthGuard)
export class AutomationsController {
  constructor(private readonly automations: AutomationsService) {}

  @Post('automations')
  @RequireScope('admin')
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateAutomationBody,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentRequest() request: RequestContext,
  ): Promise<Automation> {
    return this.automations.create(principal, dto, idempotencyKey, request);
  }

  @Get('automations')
  @RequireScope('read')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListAutomationsQuery,
    @CurrentRequest() request: RequestContext,
  ): Promise<Page<Automation>> {
    return this.automations.list(principal, query, request);
  }

  @Get('automations/:id')
  @RequireScope('read')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<Automation> {
    return this.automations.get(principal, id, request);
  }

  @Patch('automations/:id')
  @RequireScope('admin')
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Body() dto: UpdateAutomationBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<Automation> {
    return this.automations.update(principal, id, dto, request);
  }

  @Delete('automations/:id')
  @HttpCode(204)
  @RequireScope('admin')
  async archive(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<void> {
    await this.automations.archive(principal, id, request);
  }

  @Post('automations/:id/dry-run')
  @HttpCode(200)
  @RequireScope('admin')
  dryRun(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Body() dto: DryRunBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<DryRunResult> {
    return this.automations.dryRun(principal, id, dto, request);
  }

  @Get('automations/:id/runs')
  @RequireScope('read')
  runs(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Query() query: ListRunsQuery,
    @CurrentRequest() request: RequestContext,
  ): Promise<Page<AutomationRunListItem>> {
    return this.automations.runs(principal, id, query, request);
  }

  @Get('automations/:id/runs/:runId')
  @RequireScope('read')
  run(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Param('runId', UuidParam('runId')) runId: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<AutomationRun> {
    return this.automations.run(principal, id, runId, request);
  }

  @Post('automations/:id/runs/:runId/retry')
  @HttpCode(202)
  @RequireScope('write')
  retry(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Param('runId', UuidParam('runId')) runId: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<AutomationRun> {
    return this.automations.controlRun(COMMANDS.runsRetry, principal, id, runId, request);
  }

  @Post('automations/:id/runs/:runId/cancel')
  @HttpCode(200)
  @RequireScope('write')
  cancel(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Param('runId', UuidParam('runId')) runId: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<AutomationRun> {
    return this.automations.controlRun(COMMANDS.runsCancel, principal, id, runId, request);
  }

  @Post('automations/:id/runs/:runId/complete-task')
  @HttpCode(200)
  @RequireScope('write')
  completeTask(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Param('runId', UuidParam('runId')) runId: string,
    @Body() dto: CompleteTaskBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<AutomationRun> {
    return this.automations.completeTask(principal, id, runId, dto, request);
  }

  @Get('tasks')
  @RequireScope('read')
  tasks(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListTasksQuery,
    @CurrentRequest() request: RequestContext,
  ): Promise<Page<AutomationTask>> {
    return this.automations.tasks(principal, query, request);
  }

  @Get('sandbox')
  @RequireScope('read')
  sandbox(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
  ): Promise<SandboxSettings> {
    return this.automations.sandbox(principal, request);
  }

  @Put('sandbox')
  @RequireScope('admin')
  setSandbox(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: SetSandboxBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<SandboxSettings> {
    return this.automations.setSandbox(principal, dto.enabled, request);
  }
}
