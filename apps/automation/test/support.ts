import type { INestApplication } from '@nestjs/common';
import type { Msg, NatsConnection, Subscription } from 'nats';
import {
  COMMANDS,
  DomainError,
  TABLE_ENTRY_ADDED,
  TABLE_ENTRY_ASSIGNED,
  TABLE_ENTRY_LEAD_STATE_CHANGED,
  TABLE_ENTRY_TAG_APPLIED,
  TABLE_ENTRY_TAG_REMOVED,
  createEvent,
  uuidv7,
  type Actor,
  type Automation,
  type AutomationAction,
  type AutomationStatus,
  type AutomationTrigger,
  type CloudEvent,
  type CommandName,
  type EntriesAssignCommand,
  type EntriesTagApplyCommand,
  type EntriesUpdateRequest,
  type EntryChangeCommand,
  type LeadPool,
  type LeadState,
  type Member,
  type MemberGroup,
  type Pipeline,
  type Tag,
  type RpcReply,
  type TableEntry,
  type WireNames,
} from '@rocketlead/contracts';
import { deleteStreams, startInProcess } from '@rocketlead/messaging';
import { JsonLogger } from '@rocketlead/observability';
import { startServiceApp, type ServiceUnderTest } from '@rocketlead/testing';
import type { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module';
import { AUTOMATIONS_CHANNEL } from '../src/database/channels';
import { loadAutomationConfig, type AutomationConfig } from '../src/config';
import { migrateAutomation } from '../src/migrate';

export type AutomationUnderTest = ServiceUnderTest<AutomationConfig, INestApplication>;

export interface StartAutomationOptions {
  /** Take commands from NATS (default true); without, a test calls the services directly. */
  commands?: boolean;
  /** Extra configuration, e.g. `{ AUTOMATION_MAX_DEPTH: '3' }`. */
  env?: Record<string, string>;
}

/** automation in this process on a fresh database and namespace (more instances with `boot()`). */
export function startAutomation(
  name: string,
  { commands = true, env = {} }: StartAutomationOptions = {},
): Promise<AutomationUnderTest> {
  return startServiceApp<AutomationConfig, INestApplication>({
    name,
    deleteStreams,
    loadConfig: (base) => loadAutomationConfig({ ...base, ...env }),
    migrate: migrateAutomation,
    start: (config) =>
      startInProcess(AppModule.forConfig(config), new JsonLogger('automation', 'error'), { commands }),
  });
}

type Handler = (request: Record<string, unknown>) => unknown;

/**
 * A stand-in for the leads service on a test namespace: answers the commands automation sends (pools, lead
 * states, entries get, update, assign and tag, members, groups, tags and pipelines) from memory, records every change,
 * applies each idempotency key once like leads does, and publishes table.entry.leadState.changed,
 * table.entry.assigned and table.entry.tag.* for what changed, with the actor, causation and depth of the
 * request. Failures can be queued to test retries.
 */
export class FakeLeads {
  readonly pools = new Map<string, LeadPool>();
  readonly states = new Map<string, LeadState[]>();
  readonly entries = new Map<string, TableEntry>();
  /** Every entries.update request received, in order (repeats included). */
  readonly updates: EntriesUpdateRequest[] = [];
  readonly members = new Map<string, Member & { organizationId: string }>();
  readonly groups = new Map<string, MemberGroup & { organizationId: string }>();
  readonly tags = new Map<string, Tag & { organizationId: string }>();
  readonly pipelines = new Map<string, Pipeline & { organizationId: string }>();
  /** Organizations' time zones; an organization not in it has UTC, as in leads. */
  readonly timezones = new Map<string, string>();
  /** Every entries.assign and entries.tag-* request received, in order (repeats included). */
  readonly contactChanges: (EntryChangeCommand & { command: CommandName })[] = [];
  private readonly turns = new Map<string, number>();
  private readonly applied = new Set<string>();
  private readonly failures: DomainError[] = [];
  private readonly subscriptions: Subscription[] = [];

  private constructor(
    private readonly nc: NatsConnection,
    private readonly names: WireNames,
  ) {}

  static start(nc: NatsConnection, names: WireNames): FakeLeads {
    const leads = new FakeLeads(nc, names);
    leads.serve(COMMANDS.poolsGet, (r) => leads.pools.get(r.id as string) ?? notFound('Lead pool'));
    leads.serve(COMMANDS.leadStatesList, (r) => leads.states.get(r.tableId as string) ?? []);
    leads.serve(COMMANDS.entriesGet, (r) => leads.entries.get(r.id as string) ?? notFound('Table entry'));
    leads.serve(COMMANDS.entriesUpdate, (r) => leads.update(r as unknown as EntriesUpdateRequest));
    leads.serve(COMMANDS.organizationSettingsGet, (r) => ({
      timezone: leads.timezones.get(r.organizationId as string) ?? 'UTC',
    }));
    leads.serve(COMMANDS.membersGet, (r) => leads.owned(leads.members, r, 'Member'));
    leads.serve(COMMANDS.memberGroupsGet, (r) => leads.owned(leads.groups, r, 'Member group'));
    leads.serve(COMMANDS.tagsGet, (r) => leads.owned(leads.tags, r, 'Tag'));
    leads.serve(COMMANDS.pipelinesGet, (r) => leads.owned(leads.pipelines, r, 'Pipeline'));
    leads.serve(COMMANDS.pipelinesByStage, (r) => leads.pipelineByStage(r));
    leads.serve(COMMANDS.entriesAssign, (r) => leads.assign(r as unknown as EntriesAssignCommand));
    leads.serve(COMMANDS.entriesTagApply, (r) =>
      leads.tag(COMMANDS.entriesTagApply, r as unknown as EntriesTagApplyCommand),
    );
    leads.serve(COMMANDS.entriesTagRemove, (r) =>
      leads.tag(COMMANDS.entriesTagRemove, r as unknown as EntriesTagApplyCommand),
    );
    return leads;
  }

  /** The next `count` entries.update requests fail with `error` (default UNAVAILABLE). */
  failUpdates(count: number, error = new DomainError('UNAVAILABLE', 'leads unavailable')): void {
    for (let i = 0; i < count; i += 1) this.failures.push(error);
  }

  /** A pool with a schema and lead states (the first is the default). */
  addPool(
    organizationId: string,
    name: string,
    stateNames: string[],
    tableSchema: LeadPool['tableSchema'] = {},
  ) {
    const pool: LeadPool = {
      id: uuidv7(),
      organizationId,
      name,
      defaultLeadStateId: null,
      tableSchema,
      dedupe: null,
      birthdayField: null,
      createdAt: new Date().toISOString(),
    };
    const states: LeadState[] = stateNames.map((stateName, i) => ({
      id: uuidv7(),
      tableId: pool.id,
      name: stateName,
      isDefault: i === 0,
      milestone: null,
    }));
    pool.defaultLeadStateId = states[0]?.id ?? null;
    this.pools.set(pool.id, pool);
    this.states.set(pool.id, states);
    return { pool, states };
  }

  addEntry(pool: LeadPool, data: TableEntry['data'], leadStateId = pool.defaultLeadStateId!): TableEntry {
    const now = new Date().toISOString();
    const entry: TableEntry = {
      id: uuidv7(),
      tableId: pool.id,
      organizationId: pool.organizationId,
      data,
      customFieldData: {},
      leadStateId,
      assignedMemberId: null,
      duplicateOfId: null,
      tags: [],
      createdAt: now,
      updatedAt: now,
    };
    this.entries.set(entry.id, entry);
    return entry;
  }

  addMember(organizationId: string, name: string, active = true): Member {
    const member = {
      id: uuidv7(),
      organizationId,
      name,
      email: `${name.toLowerCase()}@example.test`,
      active,
      groupIds: [],
      createdAt: new Date().toISOString(),
    };
    this.members.set(member.id, member);
    return member;
  }

  addGroup(organizationId: string, name: string, members: Member[]): MemberGroup {
    const group = {
      id: uuidv7(),
      organizationId,
      name,
      memberIds: members.map((m) => m.id),
      createdAt: new Date().toISOString(),
    };
    this.groups.set(group.id, group);
    return group;
  }

  addTag(organizationId: string, name: string): Tag {
    const tag = { id: uuidv7(), organizationId, name, color: null };
    this.tags.set(tag.id, tag);
    return tag;
  }

  /** A pipeline with its stages in order. */
  addPipeline(organizationId: string, name: string, stageNames: string[]): Pipeline {
    const now = new Date().toISOString();
    const pipeline = {
      id: uuidv7(),
      organizationId,
      name,
      stages: stageNames.map((stageName, position) => ({ id: uuidv7(), name: stageName, position })),
      createdAt: now,
      updatedAt: now,
    };
    this.pipelines.set(pipeline.id, pipeline);
    return pipeline;
  }

  changesOf(entryId: string, command: CommandName): EntryChangeCommand[] {
    return this.contactChanges.filter((c) => c.id === entryId && c.command === command);
  }

  updatesOf(entryId: string): EntriesUpdateRequest[] {
    return this.updates.filter((u) => u.id === entryId);
  }

  stop(): void {
    for (const sub of this.subscriptions) sub.unsubscribe();
  }

  private serve(command: CommandName, handler: Handler): void {
    const sub = this.nc.subscribe(this.names.command(command), {
      callback: (error, msg) => {
        if (error) return;
        void this.answer(msg, handler);
      },
    });
    this.subscriptions.push(sub);
  }

  private async answer(msg: Msg, handler: Handler): Promise<void> {
    let reply: RpcReply<unknown>;
    try {
      reply = { ok: true, result: await handler(msg.json<Record<string, unknown>>()) };
    } catch (error) {
      const e = error instanceof DomainError ? error : new DomainError('INTERNAL', String(error));
      reply = { ok: false, error: e.toBody() };
    }
    msg.respond(JSON.stringify(reply));
  }

  /** An object of the request's organization by id, as leads' get commands answer it. */
  private owned<T extends { organizationId: string }>(
    map: Map<string, T>,
    request: Record<string, unknown>,
    what: string,
  ): T {
    const found = map.get(request.id as string);
    if (!found || found.organizationId !== request.organizationId) notFound(what);
    return found;
  }

  /** The organization's pipeline holding the stage, as leads' pipelines.by-stage answers it. */
  private pipelineByStage(request: Record<string, unknown>): Pipeline {
    for (const pipeline of this.pipelines.values())
      if (
        pipeline.organizationId === request.organizationId &&
        pipeline.stages.some((stage) => stage.id === request.stageId)
      )
        return pipeline;
    notFound('Pipeline stage');
  }

  /** The entry a change is about, and whether its idempotency key was applied already (recorded either way). */
  private firstApply(
    command: CommandName,
    request: EntryChangeCommand,
  ): { entry: TableEntry; repeat: boolean } {
    this.contactChanges.push({ ...request, command });
    const entry = this.entries.get(request.id);
    if (!entry || entry.organizationId !== request.actor.organizationId) notFound('Table entry');
    const key = request.idempotencyKey ? `${command}:${request.idempotencyKey}` : null;
    if (key && this.applied.has(key)) return { entry, repeat: true };
    if (key) this.applied.add(key);
    return { entry, repeat: false };
  }

  private async assign(request: EntriesAssignCommand): Promise<TableEntry> {
    const { entry, repeat } = this.firstApply(COMMANDS.entriesAssign, request);
    if (repeat) return entry;
    const organizationId = request.actor.organizationId;
    const active = (id: string) => {
      const member = this.members.get(id);
      return member?.organizationId === organizationId && member.active;
    };
    let to: string;
    if (request.groupId) {
      const group = this.groups.get(request.groupId);
      const candidates = group?.organizationId === organizationId ? group.memberIds.filter(active) : [];
      if (candidates.length === 0) invalid('groupId', 'has no active member');
      // Synchronous between awaits: concurrent requests take turns one after another, as leads' lock does.
      const turn = this.turns.get(request.groupId) ?? 0;
      this.turns.set(request.groupId, turn + 1);
      to = candidates[turn % candidates.length]!;
    } else {
      if (!request.memberId || !active(request.memberId))
        invalid('memberId', 'must be an active member of this organization');
      to = request.memberId;
    }
    if (entry.assignedMemberId === to) return entry;
    const updated: TableEntry = { ...entry, assignedMemberId: to, updatedAt: new Date().toISOString() };
    this.entries.set(updated.id, updated);
    await this.publishChange(TABLE_ENTRY_ASSIGNED, request, {
      entryId: updated.id,
      tableId: updated.tableId,
      from: entry.assignedMemberId,
      to,
    });
    return updated;
  }

  private async tag(command: CommandName, request: EntriesTagApplyCommand): Promise<TableEntry> {
    const { entry, repeat } = this.firstApply(command, request);
    if (repeat) return entry;
    const tag = this.tags.get(request.tagId);
    if (!tag || tag.organizationId !== request.actor.organizationId)
      invalid('tagId', 'must be a tag of this organization');
    const apply = command === COMMANDS.entriesTagApply;
    const has = entry.tags.some((t) => t.id === tag.id);
    if (apply === has) return entry;
    const tags = apply
      ? [...entry.tags, { id: tag.id, name: tag.name }].sort((x, y) => x.name.localeCompare(y.name))
      : entry.tags.filter((t) => t.id !== tag.id);
    const updated: TableEntry = { ...entry, tags, updatedAt: new Date().toISOString() };
    this.entries.set(updated.id, updated);
    await this.publishChange(apply ? TABLE_ENTRY_TAG_APPLIED : TABLE_ENTRY_TAG_REMOVED, request, {
      entryId: updated.id,
      tableId: updated.tableId,
      tagId: tag.id,
      tagName: tag.name,
    });
    return updated;
  }

  private publishChange(type: string, request: EntryChangeCommand, data: unknown): Promise<void> {
    return publishEvent(
      this.nc,
      this.names,
      createEvent({
        type,
        source: '/leads',
        subject: request.id,
        data,
        actor: request.actor,
        causationId: request.causationId ?? null,
        depth: request.depth ?? 0,
      }),
    );
  }

  private async update(request: EntriesUpdateRequest): Promise<TableEntry> {
    this.updates.push(request);
    const failure = this.failures.shift();
    if (failure) throw failure;
    const current = this.entries.get(request.id);
    if (!current) notFound('Table entry');
    if (request.idempotencyKey) {
      if (this.applied.has(request.idempotencyKey)) return current;
      this.applied.add(request.idempotencyKey);
    }
    const pool = this.pools.get(current.tableId)!;
    const typeErrors = Object.entries(request.data ?? {})
      .filter(([key, value]) => pool.tableSchema[key] !== undefined && typeof value !== pool.tableSchema[key])
      .map(([key, value]) => ({ key, expected: pool.tableSchema[key], received: typeof value }));
    if (typeErrors.length) {
      this.applied.delete(request.idempotencyKey ?? '');
      throw new DomainError('VALIDATION_FAILED', 'Validation failed', { typeErrors });
    }
    const updated: TableEntry = {
      ...current,
      data: { ...current.data, ...(request.data ?? {}) },
      customFieldData: { ...current.customFieldData, ...(request.customFieldData ?? {}) },
      leadStateId: request.leadStateId ?? current.leadStateId,
      updatedAt: new Date().toISOString(),
    };
    this.entries.set(updated.id, updated);
    if (updated.leadStateId !== current.leadStateId) {
      await publishEvent(
        this.nc,
        this.names,
        createEvent({
          type: TABLE_ENTRY_LEAD_STATE_CHANGED,
          source: '/leads',
          subject: updated.id,
          data: {
            entryId: updated.id,
            tableId: updated.tableId,
            from: current.leadStateId,
            to: updated.leadStateId,
          },
          actor: request.actor,
          causationId: request.causationId ?? null,
          depth: request.depth ?? 0,
        }),
      );
    }
    return updated;
  }
}

function invalid(field: string, message: string): never {
  throw new DomainError('VALIDATION_FAILED', 'Validation failed', { errors: [{ field, message }] });
}

function notFound(what: string): never {
  throw new DomainError('NOT_FOUND', `${what} not found`);
}

/** Publishes an event on its subject in the namespace, as a service's outbox relay would. */
export async function publishEvent(
  nc: NatsConnection,
  names: WireNames,
  event: CloudEvent,
  msgID: string = event.id,
): Promise<void> {
  await nc.jetstream().publish(names.eventSubject(event.type), JSON.stringify(event), { msgID });
}

/** A table.entry.added event for the entry, as leads publishes it. */
export function entryAdded(entry: TableEntry, actor: Actor, depth = 0): CloudEvent<TableEntry> {
  return createEvent({
    type: TABLE_ENTRY_ADDED,
    source: '/leads',
    subject: entry.id,
    data: entry,
    actor,
    depth,
  });
}

export interface NewAutomation {
  organizationId: string;
  name: string;
  trigger: AutomationTrigger;
  actions: Omit<AutomationAction, 'id'>[];
  status?: AutomationStatus;
  sandbox?: boolean;
}

/** An automation row as the API writes it: row, version row and the NOTIFY, in one transaction. */
export async function insertAutomation(
  db: DataSource,
  { organizationId, name, trigger, actions, status = 'active', sandbox = false }: NewAutomation,
): Promise<Automation> {
  const id = uuidv7();
  const withIds = actions.map((action, i) => ({ id: `a${i}`, ...action }));
  const now = new Date().toISOString();
  await db.transaction(async (m) => {
    await m.query(
      `INSERT INTO automation.automations (id, organization_id, name, trigger, actions, event_type, status, sandbox)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        id,
        organizationId,
        name,
        JSON.stringify(trigger),
        JSON.stringify(withIds),
        trigger.event,
        status,
        sandbox,
      ],
    );
    await m.query(
      `INSERT INTO automation.automation_versions (automation_id, version, organization_id, name, trigger, actions)
       VALUES ($1, 1, $2, $3, $4, $5)`,
      [id, organizationId, name, JSON.stringify(trigger), JSON.stringify(withIds)],
    );
    await m.query('SELECT pg_notify($1, $2)', [AUTOMATIONS_CHANNEL, organizationId]);
  });
  return {
    id,
    organizationId,
    name,
    description: null,
    trigger,
    actions: withIds,
    status,
    sandbox,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
}
