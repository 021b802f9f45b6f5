import {
  isKnownEventType,
  type Channel,
  type CloudEvent,
  type DeliveryKind,
  type EventType,
  type RegistrationSource,
  type RunStatus,
  type StepStatus,
  type TaskStatus,
} from '@rocketlead/contracts';

// The one-line human texts of a lead's timeline. Everything else an item says is in its `data`.

const CHANNEL_NAMES: Record<Channel, string> = {
  connect_api: 'Connect API',
  ingress_webhook: 'ingress webhook',
  form: 'form',
  console: 'console',
  automation: 'automation',
  integration: 'integration',
  system: 'system',
};

const REGISTRATION_SOURCE_NAMES: Record<RegistrationSource, string> = {
  rsvp: 'RSVP',
  eventbrite: 'Eventbrite',
};

const DELIVERY_KIND_NAMES: Record<DeliveryKind, string> = { webhook: 'Webhook', email: 'Email', sms: 'SMS' };

const deliveryKindName = (data: unknown): string => {
  const kind = (data as { kind?: unknown } | null)?.kind;
  return typeof kind === 'string' && Object.prototype.hasOwnProperty.call(DELIVERY_KIND_NAMES, kind)
    ? DELIVERY_KIND_NAMES[kind as DeliveryKind]
    : 'Message';
};

const field = (data: unknown, key: string): unknown =>
  typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[key] : undefined;
const text = (data: unknown, key: string): string => {
  const value = field(data, key);
  return typeof value === 'string' ? value : '';
};
const texts = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

const assigned = (event: CloudEvent): string => {
  const to = text(event.data, 'to');
  return to ? `Assigned to ${to}` : 'Unassigned';
};

const duplicate = (event: CloudEvent): string => {
  const on = texts(field(event.data, 'matchedOn'));
  return `Duplicate of ${text(event.data, 'duplicateOfId')}${on.length ? ` (${on.join(', ')})` : ''}`;
};

const updated = (event: CloudEvent): string => {
  const changes = field(event.data, 'changes');
  const keys = typeof changes === 'object' && changes !== null ? Object.keys(changes) : [];
  return keys.length ? `Updated: ${keys.join(', ')}` : 'Updated';
};

const registration =
  (verb: string) =>
  (event: CloudEvent): string => {
    const source = text(event.data, 'source');
    const from = Object.prototype.hasOwnProperty.call(REGISTRATION_SOURCE_NAMES, source)
      ? ` (${REGISTRATION_SOURCE_NAMES[source as RegistrationSource]})`
      : '';
    return `${verb} ${text(event.data, 'eventName')}${from}`;
  };

// A Record over every event type: a new type in the contracts does not compile until it has its text.
const EVENT_SUMMARIES: Record<EventType, string | ((event: CloudEvent) => string)> = {
  'table.entry.added': (event) => `Lead added via ${CHANNEL_NAMES[event.channel]}`,
  'table.entry.leadState.changed': 'Lead state changed',
  'table.entry.assigned': assigned,
  'table.entry.tag.applied': (event) => `Tag "${text(event.data, 'tagName')}" applied`,
  'table.entry.tag.removed': (event) => `Tag "${text(event.data, 'tagName')}" removed`,
  'table.entry.duplicate.detected': duplicate,
  'table.entry.updated': updated,
  'table.entry.milestone.reached': (event) => `Milestone reached: ${text(event.data, 'milestone')}`,
  'table.entry.birthday': (event) => `Birthday (${text(event.data, 'date')})`,
  'table.entry.deleted': 'Lead deleted',
  // The events carry ids only; the names are on the deal's pipeline (the item's data keeps the ids).
  'deal.stage.changed': (event) => `Deal moved to stage ${text(event.data, 'stageId')}`,
  'deal.status.changed': (event) => (text(event.data, 'status') === 'won' ? 'Deal won' : 'Deal lost'),
  'form.submitted': (event) =>
    `Form "${text(event.data, 'formName')}" submitted${field(event.data, 'isNewContact') === false ? ' (confirmed by email)' : ''}`,
  'product.purchased': (event) => `Bought ${text(event.data, 'productName')}`,
  'event.registration.created': registration('Registered for'),
  'event.registration.cancelled': registration('Cancelled the registration for'),
  'notification.requested': 'Notification requested',
  'calendar.appointment.booked': 'Appointment booked',
  'calendar.appointment.hasStarted': 'Appointment started',
  'calendar.appointment.hasEnded': 'Appointment ended',
  'calendar.appointment.updated': 'Appointment updated',
  'calendar.appointment.cancelled': 'Appointment cancelled',
  'calendar.appointment.completed': 'Appointment completed',
  'calendar.appointment.deleted': 'Appointment deleted',
  'calendar.appointment.before': 'Appointment reminder (before)',
  'calendar.appointment.after': 'Appointment follow-up (after)',
  'automation.run.started': 'Automation run started',
  'automation.run.completed': 'Automation run completed',
  'automation.run.failed': 'Automation run failed',
  'automation.delivery.requested': 'Delivery requested',
  'delivery.succeeded': (event) => `${deliveryKindName(event.data)} delivered`,
  'delivery.webhook.failed': 'Webhook delivery failed',
  'email.failed': 'Email delivery failed',
  'sms.failed': 'SMS delivery failed',
  'email.opened': 'Email opened',
  'email.clicked': 'Email link clicked',
  'email.unsubscribed': 'Unsubscribed from emails',
  'sms.replied': 'SMS reply received',
};

export function eventSummary(event: CloudEvent): string {
  if (!isKnownEventType(event.type)) return event.type;
  const summary = EVENT_SUMMARIES[event.type];
  return typeof summary === 'string' ? summary : summary(event);
}

const quoted = (name: string | null): string => (name ? `Automation "${name}"` : 'Automation');

export function runSummary(automationName: string | null, status: RunStatus, reason: string | null): string {
  const what = status === 'running' ? 'started' : status;
  return `${quoted(automationName)} ${what}${reason ? ` (${reason})` : ''}`;
}

/** `change_lead_state` → `Change lead state`. */
const actionName = (type: string): string => {
  const words = type.replace(/_/g, ' ').replace(/\bsms\b/g, 'SMS');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

export function stepSummary(index: number, type: string, status: StepStatus): string {
  return `Step ${index + 1}, ${actionName(type)}: ${status}`;
}

export function taskSummary(title: string, status: TaskStatus): string {
  return `Task "${title}" ${status === 'open' ? 'created' : status}`;
}
