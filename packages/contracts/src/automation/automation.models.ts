import type { RunStatus } from '../events/automation.events';
import type { DeliveryStatus } from '../events/delivery.events';

export const AUTOMATION_STATUSES = ['draft', 'active', 'paused', 'archived'] as const;
export type AutomationStatus = (typeof AUTOMATION_STATUSES)[number];

export const STEP_STATUSES = [
  'pending',
  'running',
  'waiting',
  'completed',
  'failed',
  'skipped',
  'wouldRun',
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** CRM Factory's equality map: a value, or an array meaning "one of". */
export type Conditions = Record<string, unknown>;

export interface AutomationTrigger {
  event: string;
  triggerId?: string | null;
  from?: string | null;
  to?: string | null;
  /** Reminders (calendar.appointment.before / after): how long before the start or after the end. */
  offset?: string;
  conditions?: Conditions;
  /** A JSON Logic expression over the run context. */
  match?: unknown;
}

export interface AutomationAction {
  id: string;
  type: string;
  params: Record<string, unknown>;
}

export interface Automation {
  id: string;
  organizationId: string;
  name: string;
  description: string | null;
  trigger: AutomationTrigger;
  actions: AutomationAction[];
  status: AutomationStatus;
  sandbox: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface RunContextRef {
  eventId: string;
  eventType: string;
  entryId: string | null;
  bookingId: string | null;
  channel: string;
  apiTokenId: string | null;
  memberId: string | null;
  correlationId: string;
  depth: number;
}

export interface RunStep {
  index: number;
  actionId: string;
  type: string;
  status: StepStatus;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  attempts: number;
  output: unknown;
  error: string | null;
  wouldDo: unknown;
  /** While the step waits (a wait, a task with a deadline): when it resumes by itself. */
  resumeAt: string | null;
  /** For send_webhook, send_email and send_sms: the delivery's outcome once delivery reported it, else null. */
  delivery: StepDelivery | null;
}

/** What became of the delivery a step handed off (also kept in the step's `output.delivery`). */
export interface StepDelivery {
  id: string;
  status: DeliveryStatus;
  attempts: number;
  error: string | null;
}

/** A run's own fields: everything but its steps and its version's definition. */
export interface AutomationRunSummary {
  id: string;
  automationId: string;
  automationVersion: number;
  status: RunStatus;
  reason: string | null;
  sandbox: boolean;
  triggerName: string | null;
  context: RunContextRef;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  error: string | null;
}

/** A run as listed: with its steps, without its version's definition. */
export interface AutomationRunListItem extends AutomationRunSummary {
  steps: RunStep[];
}

/** A run with its steps, and the trigger and actions of the version it ran. */
export interface AutomationRun extends AutomationRunListItem {
  trigger: AutomationTrigger;
  actions: AutomationAction[];
}

export interface SandboxSettings {
  enabled: boolean;
}

export interface DryRunResult {
  matched: boolean;
  reason?: string;
  runId: string;
  steps: { type: string; status: StepStatus; wouldDo: unknown }[];
}

export const TASK_STATUSES = ['open', 'completed', 'expired', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Types a task's declared output fields may have. */
export const TASK_FIELD_TYPES = ['string', 'boolean', 'number', 'date'] as const;
export type TaskFieldType = (typeof TASK_FIELD_TYPES)[number];

/** A human-in-the-loop task created by a run's create_task step. */
export interface AutomationTask {
  id: string;
  runId: string;
  automationId: string;
  entryId: string | null;
  title: string;
  description: string | null;
  assigneeId: string | null;
  /** The fields the person must provide, by name. */
  fields: Record<string, TaskFieldType>;
  status: TaskStatus;
  dueAt: string | null;
  createdAt: string;
  completedAt: string | null;
  output: Record<string, unknown> | null;
}

export const ACTIVITY_KINDS = ['event', 'run', 'step', 'task', 'delivery'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

/** One line of a lead's activity timeline (RocketLead's activityLogs). */
export interface ActivityItem {
  id: string;
  at: string;
  kind: ActivityKind;
  type: string;
  summary: string;
  channel: string | null;
  apiTokenId: string | null;
  memberId: string | null;
  automationId?: string;
  runId?: string;
  data: unknown;
}
