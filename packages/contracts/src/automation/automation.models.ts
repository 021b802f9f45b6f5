import type { RunStatus } from '../events/automation.events';

export const AUTOMATION_STATUSES = ['draft', 'active', 'paused', 'archived'] as const;
export type AutomationStatus = (typeof AUTOMATION_STATUSES)[number];

export const STEP_STATUSES = ['pending', 'running', 'completed', 'failed', 'skipped', 'wouldRun'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** CRM Factory's equality map: a value, or an array meaning "one of". */
export type Conditions = Record<string, unknown>;

export interface AutomationTrigger {
  event: string;
  triggerId?: string | null;
  from?: string | null;
  to?: string | null;
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
}

/** A run as listed: everything but its steps and its version's definition. */
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

/** A run with its steps, and the trigger and actions of the version it ran. */
export interface AutomationRun extends AutomationRunSummary {
  trigger: AutomationTrigger;
  actions: AutomationAction[];
  steps: RunStep[];
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
