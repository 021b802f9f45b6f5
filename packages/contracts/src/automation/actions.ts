import { s, type FieldError, type Schema } from '../validation';
import { WEBHOOK_FORMATS } from '../events/automation.events';
import { FORM_EVENT_CODES } from '../delivery/delivery.models';
import { TASK_FIELD_TYPES } from './automation.models';
import { ASSIGN_STRATEGIES } from '../models';
import { durationSchema, timeOfDaySchema, timeZoneSchema } from './schedule';

/**
 * Every action type an automation may use, with the schema of its `params`. A new action type is an entry
 * here plus a handler in the automation service; validation and the engine pick it up from this table.
 */
export interface ActionDefinition {
  params: Schema<unknown>;
  /** Changes something outside the run (a lead, another run, a message): sandbox describes it instead. */
  sideEffect: boolean;
  /** Params that hold nested action lists (validated like top-level actions). */
  nested: readonly string[];
  /** Cross-field rules the schema cannot say; returns errors relative to `params`. */
  refine?: (params: Record<string, unknown>) => FieldError[];
  /**
   * Runs before the run's other actions, whatever its position (Lead Actions: "Assign to User actions are
   * always processed first"); actions with it keep their order among themselves.
   */
  runsFirst?: boolean;
}

/** Fields a task's `output` may declare. */
export const TASK_OUTPUT_MAX_FIELDS = 20;
const TASK_FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const template = (max = 10_000) => s.string({ max });
const anyValue = s.unknown();
const nestedList = s.unknown(); // checked by validateActions, recursively

export const ACTION_DEFINITIONS = {
  change_lead_state: {
    params: s.object({ stateId: s.uuid() }, { strict: true }),
    sideEffect: true,
    nested: [],
  },
  // A member, or an active member of a group picked by strategy (round robin by default).
  assign_user: {
    params: s.object(
      {
        memberId: s.optional(s.uuid()),
        groupId: s.optional(s.uuid()),
        strategy: s.optional(s.literal(...ASSIGN_STRATEGIES)),
      },
      { strict: true },
    ),
    sideEffect: true,
    nested: [],
    runsFirst: true,
    refine: (p) => {
      if ((p.memberId === undefined) === (p.groupId === undefined))
        return [{ field: 'memberId', message: 'give exactly one of memberId and groupId' }];
      if (p.strategy !== undefined && p.groupId === undefined)
        return [{ field: 'strategy', message: 'applies only with groupId' }];
      return [];
    },
  },
  // Emails a member (the lead's assigned member by default) through delivery.
  notify_user: {
    params: s.object(
      { memberId: s.optional(s.uuid()), subject: template(1000), text: template(100_000) },
      { strict: true },
    ),
    sideEffect: true,
    nested: [],
  },
  add_tag: {
    params: s.object({ tagId: s.uuid() }, { strict: true }),
    sideEffect: true,
    nested: [],
  },
  remove_tag: {
    params: s.object({ tagId: s.uuid() }, { strict: true }),
    sideEffect: true,
    nested: [],
  },
  update_fields: {
    params: s.object(
      {
        data: s.optional(s.record(anyValue, { maxKeys: 200 })),
        customFieldData: s.optional(s.record(anyValue, { maxKeys: 200 })),
      },
      { strict: true },
    ),
    sideEffect: true,
    nested: [],
    refine: (p) =>
      p.data === undefined && p.customFieldData === undefined
        ? [{ field: 'data', message: 'must be given, or customFieldData' }]
        : [],
  },
  branch: {
    params: s.object(
      {
        conditions: s.optional(s.record(anyValue, { maxKeys: 50 })),
        match: s.optional(anyValue),
        then: s.optional(nestedList),
        else: s.optional(nestedList),
      },
      { strict: true },
    ),
    sideEffect: false,
    nested: ['then', 'else'],
  },
  start_workflow: {
    params: s.object({ automationId: s.uuid() }, { strict: true }),
    sideEffect: true,
    nested: [],
  },
  stop_workflow: {
    params: s.object({ automationId: s.optional(s.uuid()) }, { strict: true }),
    sideEffect: true,
    nested: [],
  },
  send_webhook: {
    params: s.object(
      {
        url: s.optional(s.string({ min: 1, max: 2048, pattern: /^https?:\/\//i })),
        endpointId: s.optional(s.uuid()),
        format: s.optional(s.literal(...WEBHOOK_FORMATS)),
        body: s.optional(anyValue),
        // The Lead Actions Guide's code sent as `eventtype` by the form format (e.g. deliveryass).
        eventtype: s.optional(s.literal(...FORM_EVENT_CODES)),
      },
      { strict: true },
    ),
    sideEffect: true,
    nested: [],
    refine: (p) =>
      (p.url === undefined) === (p.endpointId === undefined)
        ? [{ field: 'url', message: 'give exactly one of url and endpointId' }]
        : [],
  },
  send_email: {
    params: s.object(
      {
        to: s.optional(template(320)),
        subject: template(1000),
        text: s.optional(template(100_000)),
        html: s.optional(template(100_000)),
      },
      { strict: true },
    ),
    sideEffect: true,
    nested: [],
  },
  send_sms: {
    params: s.object({ to: s.optional(template(100)), body: template(2000) }, { strict: true }),
    sideEffect: true,
    nested: [],
  },
  // Suspends the run (status waiting) until a time; changes nothing outside it, so sandbox runs wait too.
  wait: {
    params: s.object(
      {
        duration: s.optional(durationSchema()),
        // A date-time, or a Liquid template rendering one ({{ booking.startDateTime }}).
        until: s.optional(template(1000)),
        timeOfDay: s.optional(timeOfDaySchema),
        timezone: s.optional(timeZoneSchema),
      },
      { strict: true },
    ),
    sideEffect: false,
    nested: [],
    refine: (p) => {
      const given = ['duration', 'until', 'timeOfDay'].filter((k) => p[k] !== undefined);
      if (given.length !== 1)
        return [{ field: 'duration', message: 'give exactly one of duration, until and timeOfDay' }];
      if (p.timezone !== undefined && p.timeOfDay === undefined)
        return [{ field: 'timezone', message: 'applies only with timeOfDay' }];
      return [];
    },
  },
  // A task for a person; the run waits until it is completed (with `output`) or expires after `dueIn`.
  create_task: {
    params: s.object(
      {
        title: template(500),
        description: s.optional(template(10_000)),
        assigneeId: s.optional(s.uuid()),
        dueIn: s.optional(durationSchema()),
        onTimeout: s.optional(s.literal('fail', 'continue')),
        output: s.optional(s.record(s.literal(...TASK_FIELD_TYPES), { maxKeys: TASK_OUTPUT_MAX_FIELDS })),
      },
      { strict: true },
    ),
    sideEffect: true,
    nested: [],
    refine: (p) => {
      const errors: FieldError[] = [];
      for (const key of Object.keys((p.output as Record<string, unknown> | undefined) ?? {}))
        if (!TASK_FIELD_NAME.test(key))
          errors.push({
            field: `output.${key}`,
            message: 'must be 1-64 letters, digits or _, not starting with a digit',
          });
      if (p.onTimeout !== undefined && p.dueIn === undefined)
        errors.push({ field: 'onTimeout', message: 'applies only with dueIn' });
      return errors;
    },
  },
} satisfies Record<string, ActionDefinition>;

export type ActionType = keyof typeof ACTION_DEFINITIONS;
export const ACTION_TYPES = Object.keys(ACTION_DEFINITIONS) as ActionType[];

export function isActionType(type: unknown): type is ActionType {
  return typeof type === 'string' && Object.prototype.hasOwnProperty.call(ACTION_DEFINITIONS, type);
}

export function actionDefinition(type: ActionType): ActionDefinition {
  return ACTION_DEFINITIONS[type];
}
