import { s } from '../validation';

export const AUTOMATION_RUN_STARTED = 'automation.run.started';
export const AUTOMATION_RUN_COMPLETED = 'automation.run.completed';
export const AUTOMATION_RUN_FAILED = 'automation.run.failed';
export const DELIVERY_REQUESTED = 'automation.delivery.requested';

export const RUN_STATUSES = ['running', 'waiting', 'completed', 'failed', 'cancelled', 'skipped'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** data of `automation.run.*`: enough to find the run and the lead it acted on. */
export interface AutomationRunEventData {
  runId: string;
  automationId: string;
  automationVersion: number;
  entryId: string | null;
  status: RunStatus;
  sandbox: boolean;
  triggerEventId: string;
  error: string | null;
}

export const automationRunEventSchema = s.object({
  runId: s.uuid(),
  automationId: s.uuid(),
  automationVersion: s.number({ int: true, min: 1 }),
  entryId: s.nullable(s.uuid()),
  status: s.literal(...RUN_STATUSES),
  sandbox: s.boolean(),
  triggerEventId: s.string({ min: 1 }),
  error: s.nullable(s.string()),
});

export const DELIVERY_KINDS = ['webhook', 'email', 'sms'] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];

export const WEBHOOK_FORMATS = ['standard', 'form'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/**
 * What a run asks the delivery service to send. Written to automation's outbox by the step; the step is done
 * once it is committed there. `idempotencyKey` (run id + step index) is identical when a step is retried, so
 * delivery sends it once.
 */
export interface DeliveryRequestData {
  idempotencyKey: string;
  runId: string;
  automationId: string;
  stepIndex: number;
  entryId: string | null;
  kind: DeliveryKind;
  webhook: {
    url: string | null;
    endpointId: string | null;
    format: WebhookFormat;
    body: unknown;
    /** The `eventtype` of the form format: the action's explicit code, else the trigger's event type. */
    eventType?: string;
    /**
     * The trigger event's form code when the action names none (a milestone's depends on its data), for a form
     * endpoint: the run cannot know an endpoint's format, delivery cannot read the trigger's data.
     */
    formCode?: string;
  } | null;
  email: { to: string; subject: string; text: string | null; html: string | null } | null;
  sms: { to: string; body: string } | null;
}

export const deliveryRequestSchema = s.object({
  idempotencyKey: s.string({ min: 1, max: 200 }),
  runId: s.uuid(),
  automationId: s.uuid(),
  stepIndex: s.number({ int: true, min: 0 }),
  entryId: s.nullable(s.uuid()),
  kind: s.literal(...DELIVERY_KINDS),
  webhook: s.nullable(
    s.object({
      url: s.nullable(s.string({ min: 1 })),
      endpointId: s.nullable(s.uuid()),
      format: s.literal(...WEBHOOK_FORMATS),
      body: s.unknown(),
      eventType: s.optional(s.string({ min: 1, max: 200 })),
      formCode: s.optional(s.string({ min: 1, max: 200 })),
    }),
  ),
  email: s.nullable(
    s.object({
      to: s.string({ min: 1 }),
      subject: s.string(),
      text: s.nullable(s.string()),
      html: s.nullable(s.string()),
    }),
  ),
  sms: s.nullable(s.object({ to: s.string({ min: 1 }), body: s.string() })),
});
