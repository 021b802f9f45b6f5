import { Injectable } from '@nestjs/common';
import {
  validationFailed,
  AUTOMATION_LIMITS,
  DomainError,
  EVENT_DEFINITIONS,
  TRIGGER_ID_FORMATS,
  checkActions,
  checkTrigger,
  forEachMatch,
  isKnownEventType,
  isUuid,
  type AutomationAction,
  type AutomationTrigger,
  type FieldError,
  type LeadPool,
} from '@rocketlead/contracts';
import { checkJsonLogic } from '../conditions/json-logic';
import { parsePipelineStatusId } from '../engine/pipeline-status-id';
import { CalendarGateway, IntegrationsGateway, LeadsGateway } from '../gateways';
import { checkActionIds, eachAction, withActionIds } from './action-ids';

type ContactKind = 'member' | 'member group' | 'tag';

/** The params of actions that name a member, group or tag of the organization. */
// A Map: an action's type is the client's string, and `__proto__` must not find Object.prototype.
const CONTACT_PARAMS = new Map<string, [string, ContactKind][]>([
  [
    'assign_user',
    [
      ['memberId', 'member'],
      ['groupId', 'member group'],
    ],
  ],
  ['notify_user', [['memberId', 'member']]],
  ['create_task', [['assigneeId', 'member']]],
  ['add_tag', [['tagId', 'tag']]],
  ['remove_tag', [['tagId', 'tag']]],
]);

export interface DefinitionDraft {
  trigger: unknown;
  actions: unknown;
}

export interface CheckedDefinition {
  trigger: AutomationTrigger;
  actions: AutomationAction[];
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Bytes of the stored definition; bounded so a run's snapshot of its version stays small. */
export function definitionBytes(definition: {
  name: string;
  description: string | null;
  trigger: AutomationTrigger;
  actions: AutomationAction[];
}): number {
  const { name, description, trigger, actions } = definition;
  return Buffer.byteLength(JSON.stringify({ name, description, trigger, actions }), 'utf8');
}

export function assertDefinitionFits(definition: Parameters<typeof definitionBytes>[0]): void {
  const bytes = definitionBytes(definition);
  if (bytes > AUTOMATION_LIMITS.definitionBytes)
    throw new DomainError(
      'PAYLOAD_TOO_LARGE',
      `The automation definition is ${bytes} bytes; the limit is ${AUTOMATION_LIMITS.definitionBytes}`,
      { field: '(definition)', limit: AUTOMATION_LIMITS.definitionBytes },
    );
}

/**
 * Checks a trigger and its actions in depth and gives them their stored shape (every action with an id).
 * Structure comes from the contracts, JSON Logic from this service, and what only the organization's data can
 * say (is `triggerId` its pool, calendar, tag, pipeline stage, pipeline, form, product or CRM event, is a state one of that
 * pool's, are the members, groups and tags actions name its own) from leads, calendar and integrations. Every problem is reported in one VALIDATION_FAILED, each
 * naming its field from the body's root.
 */
@Injectable()
export class AutomationValidator {
  constructor(
    private readonly leads: LeadsGateway,
    private readonly calendars: CalendarGateway,
    private readonly integrations: IntegrationsGateway,
  ) {}

  async check(
    organizationId: string,
    draft: DefinitionDraft,
    traceparent: string | null,
    errors: FieldError[] = [],
  ): Promise<CheckedDefinition> {
    const { trigger, actions } = draft;
    checkTrigger(trigger, errors);
    checkActions(actions, 'actions', errors);
    checkActionIds(actions, errors);
    forEachMatch(
      isPlainObject(trigger) ? trigger : {},
      Array.isArray(actions) ? (actions as { type: string; params?: Record<string, unknown> }[]) : [],
      (expression, field) => errors.push(...checkJsonLogic(expression, field)),
    );
    // Only what is well-formed is looked up; the rest is already reported.
    const pool = isPlainObject(trigger)
      ? await this.checkTriggerObject(organizationId, trigger, errors, traceparent)
      : null;
    if (pool && Array.isArray(actions))
      await this.checkStates(
        organizationId,
        pool,
        trigger as AutomationTrigger,
        actions,
        errors,
        traceparent,
      );
    if (Array.isArray(actions))
      await this.checkContactReferences(organizationId, actions, errors, traceparent);
    if (errors.length > 0) throw validationFailed(errors);
    return {
      trigger: trigger as AutomationTrigger,
      actions: withActionIds(actions as Partial<AutomationAction>[]),
    };
  }

  /** `triggerId` must name an object of this organization of the kind the event is scoped by. */
  private async checkTriggerObject(
    organizationId: string,
    trigger: Record<string, unknown>,
    errors: FieldError[],
    traceparent: string | null,
  ): Promise<LeadPool | null> {
    const { event, triggerId } = trigger;
    if (typeof event !== 'string' || !isKnownEventType(event) || typeof triggerId !== 'string') return null;
    const scope = EVENT_DEFINITIONS[event].scope;
    // The scope's anyId stands for every object of the kind: there is no one object to look up.
    if (scope?.anyId !== undefined && triggerId === scope.anyId) return null;
    // A malformed id is already reported by the contracts' check.
    if (!scope || !TRIGGER_ID_FORMATS[scope.kind].test(triggerId)) return null;
    const refuse = (message: string): null => {
      errors.push({ field: 'trigger.triggerId', message });
      return null;
    };
    switch (scope.kind) {
      case 'pool': {
        const pool = await this.leads.pool(organizationId, triggerId, traceparent);
        return pool ?? refuse('must be a lead pool of this organization');
      }
      case 'calendar': {
        const calendar = await this.calendars.calendar(organizationId, triggerId, traceparent);
        return calendar ? null : refuse('must be a calendar of this organization');
      }
      case 'tag': {
        const tag = await this.leads.tag(organizationId, triggerId, traceparent);
        return tag ? null : refuse('must be a tag of this organization');
      }
      case 'stage': {
        const pipeline = await this.leads.pipelineByStage(organizationId, triggerId, traceparent);
        return pipeline ? null : refuse('must be a pipeline stage of this organization');
      }
      case 'pipelineStatus': {
        const parsed = parsePipelineStatusId(triggerId);
        const pipeline = parsed
          ? await this.leads.pipeline(organizationId, parsed.pipelineId, traceparent)
          : null;
        return pipeline ? null : refuse('must name a pipeline of this organization');
      }
      case 'form': {
        const form = await this.leads.form(organizationId, triggerId, traceparent);
        return form ? null : refuse('must be a form of this organization');
      }
      case 'product': {
        const product = await this.integrations.product(organizationId, triggerId, traceparent);
        return product ? null : refuse('must be a product of this organization');
      }
      case 'crmEvent': {
        const crmEvent = await this.calendars.crmEvent(organizationId, triggerId, traceparent);
        return crmEvent ? null : refuse('must be an event of this organization');
      }
    }
  }

  /**
   * The members, groups and tags actions name (nested ones too) must be this organization's: each distinct id
   * is looked up once, all at the same time; a member must also be active (never assigned, notified or given a
   * task once deactivated).
   */
  private async checkContactReferences(
    organizationId: string,
    actions: unknown[],
    errors: FieldError[],
    traceparent: string | null,
  ): Promise<void> {
    const refs: { path: string; kind: ContactKind; id: string; active: boolean }[] = [];
    eachAction(actions as AutomationAction[], (action, path) => {
      if (!isPlainObject(action.params)) return;
      for (const [param, kind] of CONTACT_PARAMS.get(action.type) ?? []) {
        const id = action.params[param];
        if (isUuid(id)) refs.push({ path: `${path}.params.${param}`, kind, id, active: kind === 'member' });
      }
    });
    const lookups = new Map<string, Promise<{ active: boolean } | null>>();
    const lookup = (kind: ContactKind, id: string): Promise<{ active: boolean } | null> => {
      const key = `${kind}:${id}`;
      let found = lookups.get(key);
      if (!found) {
        found = this.contact(organizationId, kind, id, traceparent);
        lookups.set(key, found);
      }
      return found;
    };
    const found = await Promise.all(refs.map((ref) => lookup(ref.kind, ref.id)));
    refs.forEach((ref, i) => {
      const object = found[i];
      if (!object) errors.push({ field: ref.path, message: `must be a ${ref.kind} of this organization` });
      else if (ref.active && !object.active)
        errors.push({ field: ref.path, message: `must be an active ${ref.kind} of this organization` });
    });
  }

  private async contact(
    organizationId: string,
    kind: ContactKind,
    id: string,
    traceparent: string | null,
  ): Promise<{ active: boolean } | null> {
    switch (kind) {
      case 'member':
        return this.leads.member(organizationId, id, traceparent);
      case 'member group':
        return (await this.leads.group(organizationId, id, traceparent)) ? { active: true } : null;
      case 'tag':
        return (await this.leads.tag(organizationId, id, traceparent)) ? { active: true } : null;
    }
  }

  /**
   * With a known pool, the lead is one of its entries: `from` / `to` and every change_lead_state target must
   * be states of that pool (another pool's state could never match or apply).
   */
  private async checkStates(
    organizationId: string,
    pool: LeadPool,
    trigger: AutomationTrigger,
    actions: unknown[],
    errors: FieldError[],
    traceparent: string | null,
  ): Promise<void> {
    const stateIds = new Set(
      (await this.leads.states(organizationId, pool.id, traceparent)).map((state) => state.id),
    );
    const message = `must be a lead state of the lead pool "${pool.name}"`;
    for (const key of ['from', 'to'] as const) {
      const value = trigger[key];
      if (isUuid(value) && !stateIds.has(value)) errors.push({ field: `trigger.${key}`, message });
    }
    eachAction(actions as AutomationAction[], (action, path) => {
      if (action.type !== 'change_lead_state' || !isPlainObject(action.params)) return;
      const stateId = action.params.stateId;
      if (isUuid(stateId) && !stateIds.has(stateId))
        errors.push({ field: `${path}.params.stateId`, message });
    });
  }
}
