import { Inject, Injectable } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import {
  validationFailed,
  DomainError,
  uuidv7,
  type Automation,
  type AutomationsArchiveCommand,
  type AutomationsCreateCommand,
  type AutomationsDryRunCommand,
  type AutomationsGetCommand,
  type AutomationsListCommand,
  type AutomationsUpdateCommand,
  type DryRunResult,
  type FieldError,
  type Page,
} from '@rocketlead/contracts';
import { TRANSACTION, decodeCursor, pageOf, type Transactional } from '@rocketlead/persistence';
import { DryRunner } from '../engine/dry-runner';
import { ReminderPlanner } from '../reminders/reminder-planner';
import { AutomationsRepository, type AutomationDefinition } from './automations.repository';
import { AutomationValidator, assertDefinitionFits } from './automation-validator';

export const automationNotFound = (): DomainError => new DomainError('NOT_FOUND', 'Automation not found');

// A PATCH merges onto the row it read; a concurrent change makes it merge again, this many times at most.
const UPDATE_ATTEMPTS = 3;

/** Optional fields given as null (the HTTP body validation lets null through for optional fields). */
function nullFields(command: object, fields: readonly string[]): FieldError[] {
  const values = command as Record<string, unknown>;
  return fields.filter((f) => values[f] === null).map((field) => ({ field, message: 'must not be null' }));
}

const sameDefinition = (a: AutomationDefinition, b: AutomationDefinition): boolean =>
  a.name === b.name &&
  a.description === b.description &&
  a.status === b.status &&
  a.sandbox === b.sandbox &&
  isDeepStrictEqual(a.trigger, b.trigger) &&
  isDeepStrictEqual(a.actions, b.actions);

const definitionOf = (automation: Automation): AutomationDefinition => ({
  name: automation.name,
  description: automation.description,
  trigger: automation.trigger,
  actions: automation.actions,
  status: automation.status,
  sandbox: automation.sandbox,
});

@Injectable()
export class AutomationsService {
  constructor(
    private readonly automations: AutomationsRepository,
    private readonly validator: AutomationValidator,
    private readonly dryRunner: DryRunner,
    @Inject(TRANSACTION) private readonly transaction: Transactional,
    private readonly reminders: ReminderPlanner,
  ) {}

  async create(command: AutomationsCreateCommand): Promise<Automation> {
    const { actor } = command;
    const checked = await this.validator.check(
      actor.organizationId,
      command,
      actor.traceparent,
      nullFields(command, ['status', 'sandbox']),
    );
    const definition: AutomationDefinition = {
      name: command.name,
      description: command.description ?? null,
      ...checked,
      status: command.status ?? 'draft',
      sandbox: command.sandbox ?? false,
    };
    assertDefinitionFits(definition);
    const id = command.idempotencyKey ?? uuidv7();
    return this.transaction(async (manager) => {
      const created = await this.automations.insert(manager, actor.organizationId, id, definition);
      if (!created) {
        // The same request again: the automation it made (only its own organization's, never another's).
        const made = await this.automations.find(actor.organizationId, id, manager);
        if (!made) throw new DomainError('CONFLICT', 'The Idempotency-Key belongs to another request');
        return made;
      }
      // Appointment reminders: an automation created active plans them for the existing bookings.
      await this.reminders.automationChanged(manager, null, created);
      return created;
    });
  }

  async get(command: AutomationsGetCommand): Promise<Automation> {
    const automation = await this.automations.find(command.organizationId, command.id);
    if (!automation) throw automationNotFound();
    return automation;
  }

  async list(command: AutomationsListCommand): Promise<Page<Automation>> {
    let afterSeq: string | undefined;
    if (command.cursor) {
      const position = decodeCursor(command.cursor);
      const seq = position && (await this.automations.position(command.organizationId, position.id));
      if (!seq) throw validationFailed([{ field: 'cursor', message: 'is not a valid cursor' }]);
      afterSeq = seq;
    }
    const rows = await this.automations.list(
      command.organizationId,
      { status: command.status, event: command.event },
      command.limit + 1,
      afterSeq,
    );
    return pageOf(rows, command.limit, (a) => ({ at: a.createdAt, id: a.id }));
  }

  /**
   * Any field; the merged definition is checked like a new one when trigger or actions change (a status or
   * name change alone needs no look-up, so an automation can be paused while leads is unreachable). A PATCH
   * that changes nothing keeps the version; any real change is the next version.
   */
  async update(command: AutomationsUpdateCommand): Promise<Automation> {
    const { actor } = command;
    const nulls = nullFields(command, ['name', 'trigger', 'actions', 'status', 'sandbox']);
    if (nulls.length > 0) throw validationFailed(nulls);
    return this.change(actor.organizationId, command.id, async (current) => {
      const definition: AutomationDefinition = {
        name: command.name ?? current.name,
        description: command.description !== undefined ? command.description : current.description,
        trigger: current.trigger,
        actions: current.actions,
        status: command.status ?? current.status,
        sandbox: command.sandbox ?? current.sandbox,
      };
      if (command.trigger !== undefined || command.actions !== undefined) {
        const checked = await this.validator.check(
          actor.organizationId,
          { trigger: command.trigger ?? current.trigger, actions: command.actions ?? current.actions },
          actor.traceparent,
        );
        definition.trigger = checked.trigger;
        definition.actions = checked.actions;
      }
      return definition;
    });
  }

  /** DELETE: the automation is archived (runs nothing, listed only with status=archived); its runs stay. */
  archive(command: AutomationsArchiveCommand): Promise<Automation> {
    return this.change(command.actor.organizationId, command.id, (current) =>
      Promise.resolve({ ...definitionOf(current), status: 'archived' }),
    );
  }

  async dryRun(command: AutomationsDryRunCommand): Promise<DryRunResult> {
    const { actor } = command;
    const automation = await this.get({ organizationId: actor.organizationId, id: command.id });
    return this.dryRunner.dryRun({
      automation,
      entryId: command.entryId,
      ...(command.event ? { event: { type: command.event.type, data: command.event.data } } : {}),
      actor,
    });
  }

  /** Reads, merges and writes the next version unless another change came first (then merges again). */
  private async change(
    organizationId: string,
    id: string,
    merge: (current: Automation) => Promise<AutomationDefinition>,
  ): Promise<Automation> {
    for (let attempt = 1; ; attempt += 1) {
      const current = await this.automations.find(organizationId, id);
      if (!current) throw automationNotFound();
      const next = await merge(current);
      if (sameDefinition(next, definitionOf(current))) return current;
      assertDefinitionFits(next);
      const updated = await this.transaction(async (manager) => {
        const changed = await this.automations.update(manager, organizationId, id, current.version, next);
        // Appointment reminders: planned when it starts reminding, cancelled when it stops or changes.
        if (changed) await this.reminders.automationChanged(manager, current, changed);
        return changed;
      });
      if (updated) return updated;
      if (attempt >= UPDATE_ATTEMPTS)
        throw new DomainError('CONFLICT', 'The automation is being changed by another request; retry');
    }
  }
}
