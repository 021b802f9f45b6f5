import { Injectable } from '@nestjs/common';
import {
  COMMANDS,
  type Automation,
  type AutomationRun,
  type AutomationRunListItem,
  type AutomationTask,
  type CompleteTaskBody,
  type CreateAutomationBody,
  type DryRunBody,
  type DryRunResult,
  type Page,
  type SandboxSettings,
  type UpdateAutomationBody,
} from '@rocketlead/contracts';
import { RpcClient, type RequestOptions } from '@rocketlead/messaging';
import type { Principal } from '../auth/principal';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { given } from '../http/given-fields';
import { connectActor, type RequestContext } from '../http/request-context';
import { pageFields } from '../http/page.query';
import type { ListAutomationsQuery } from './dto/list-automations.query';
import type { ListRunsQuery } from './dto/list-runs.query';
import type { ListTasksQuery } from './dto/list-tasks.query';

const DEFINITION_FIELDS = ['name', 'description', 'trigger', 'actions', 'status', 'sandbox'] as const;

/** Automations, their runs and the sandbox setting live in `automation`; ingress authorizes and forwards. */
@Injectable()
export class AutomationsService {
  constructor(
    private readonly rpc: RpcClient,
    private readonly idempotency: IdempotencyService,
  ) {}

  create(
    principal: Principal,
    dto: CreateAutomationBody,
    idempotencyKey: string | undefined,
    request: RequestContext,
  ): Promise<Automation> {
    return this.idempotency.run({
      organizationId: principal.organizationId,
      credentialId: principal.tokenId,
      key: idempotencyKey,
      route: 'api:automations',
      body: dto,
      work: (downstreamKey) =>
        this.rpc.request(
          COMMANDS.automationsCreate,
          {
            actor: connectActor(principal, request),
            name: dto.name,
            trigger: dto.trigger,
            actions: dto.actions,
            ...given(dto, ['description', 'status', 'sandbox']),
            ...(downstreamKey ? { idempotencyKey: downstreamKey } : {}),
          },
          this.writeOptions(request),
        ),
    });
  }

  list(
    principal: Principal,
    query: ListAutomationsQuery,
    request: RequestContext,
  ): Promise<Page<Automation>> {
    return this.rpc.request(
      COMMANDS.automationsList,
      {
        organizationId: principal.organizationId,
        ...pageFields(query),
        ...given(query, ['status', 'event']),
      },
      { traceparent: request.traceparent },
    );
  }

  get(principal: Principal, id: string, request: RequestContext): Promise<Automation> {
    return this.rpc.request(
      COMMANDS.automationsGet,
      { organizationId: principal.organizationId, id },
      { traceparent: request.traceparent },
    );
  }

  update(
    principal: Principal,
    id: string,
    dto: UpdateAutomationBody,
    request: RequestContext,
  ): Promise<Automation> {
    return this.rpc.request(
      COMMANDS.automationsUpdate,
      { actor: connectActor(principal, request), id, ...given(dto, DEFINITION_FIELDS) },
      this.writeOptions(request),
    );
  }

  archive(principal: Principal, id: string, request: RequestContext): Promise<Automation> {
    return this.rpc.request(
      COMMANDS.automationsArchive,
      { actor: connectActor(principal, request), id },
      this.writeOptions(request),
    );
  }

  dryRun(principal: Principal, id: string, dto: DryRunBody, request: RequestContext): Promise<DryRunResult> {
    return this.rpc.request(
      COMMANDS.automationsDryRun,
      {
        actor: connectActor(principal, request),
        id,
        entryId: dto.entryId,
        ...(dto.event
          ? {
              event: {
                type: dto.event.type,
                ...(dto.event.data !== undefined ? { data: dto.event.data } : {}),
              },
            }
          : {}),
      },
      this.writeOptions(request),
    );
  }

  runs(
    principal: Principal,
    automationId: string,
    query: ListRunsQuery,
    request: RequestContext,
  ): Promise<Page<AutomationRunListItem>> {
    return this.rpc.request(
      COMMANDS.runsList,
      {
        organizationId: principal.organizationId,
        automationId,
        ...pageFields(query),
        ...given(query, ['status', 'entryId']),
      },
      { traceparent: request.traceparent },
    );
  }

  run(
    principal: Principal,
    automationId: string,
    runId: string,
    request: RequestContext,
  ): Promise<AutomationRun> {
    return this.rpc.request(
      COMMANDS.runsGet,
      { organizationId: principal.organizationId, automationId, runId },
      { traceparent: request.traceparent },
    );
  }

  /** Retry, cancel or complete-task: a change to one run, made by the caller. */
  controlRun(
    command: typeof COMMANDS.runsRetry | typeof COMMANDS.runsCancel,
    principal: Principal,
    automationId: string,
    runId: string,
    request: RequestContext,
  ): Promise<AutomationRun> {
    return this.rpc.request(
      command,
      {
        organizationId: principal.organizationId,
        actor: connectActor(principal, request),
        automationId,
        runId,
      },
      this.writeOptions(request),
    );
  }

  completeTask(
    principal: Principal,
    automationId: string,
    runId: string,
    dto: CompleteTaskBody,
    request: RequestContext,
  ): Promise<AutomationRun> {
    return this.rpc.request(
      COMMANDS.runsCompleteTask,
      {
        organizationId: principal.organizationId,
        actor: connectActor(principal, request),
        automationId,
        runId,
        output: dto.output,
      },
      this.writeOptions(request),
    );
  }

  tasks(principal: Principal, query: ListTasksQuery, request: RequestContext): Promise<Page<AutomationTask>> {
    return this.rpc.request(
      COMMANDS.tasksList,
      {
        organizationId: principal.organizationId,
        ...pageFields(query),
        ...given(query, ['status', 'automationId']),
      },
      { traceparent: request.traceparent },
    );
  }

  sandbox(principal: Principal, request: RequestContext): Promise<SandboxSettings> {
    return this.rpc.request(
      COMMANDS.sandboxGet,
      { organizationId: principal.organizationId },
      { traceparent: request.traceparent },
    );
  }

  setSandbox(principal: Principal, enabled: boolean, request: RequestContext): Promise<SandboxSettings> {
    return this.rpc.request(
      COMMANDS.sandboxSet,
      { actor: connectActor(principal, request), enabled },
      this.writeOptions(request),
    );
  }

  private writeOptions(request: RequestContext): RequestOptions {
    return { traceparent: request.traceparent };
  }
}
