// Every wire name (stream, subject, consumer, command) is defined here and only here.
// A namespace prefix lets several environments or test runs share one NATS server without colliding.

// `triggers`: its events may start automations (the automation service consumes every such stream; a new
// stream with `triggers: true` is picked up without a change there).
export const STREAMS = {
  LEADS: { name: 'LEADS', subjects: ['events.table.>'], triggers: true },
  CALENDAR: { name: 'CALENDAR', subjects: ['events.calendar.>'], triggers: true },
  // Deals of leads' contacts, published by leads.
  DEALS: { name: 'DEALS', subjects: ['events.deal.>'], triggers: true },
  // Run events and delivery requests: never triggers, or automations could feed on themselves.
  AUTOMATION: { name: 'AUTOMATION', subjects: ['events.automation.>'], triggers: false },
  // Delivery outcomes and what recipients did (opened, clicked, replied). Its email.* and sms.* events are
  // triggers (Lead Actions' "Email Failed, Opened" and "Text Message Failed/Replied"); its delivery.* outcomes
  // are not (EVENT_DEFINITIONS says which).
  DELIVERY: {
    name: 'DELIVERY',
    subjects: ['events.delivery.>', 'events.email.>', 'events.sms.>'],
    triggers: true,
  },
  // Form submissions applied to contacts, published by leads.
  FORMS: { name: 'FORMS', subjects: ['events.form.>'], triggers: true },
  // What a service other than automation asks delivery to send (a form's verification email, its webhook):
  // never triggers, never subscribed (a verification link is a credential).
  NOTIFICATIONS: { name: 'NOTIFICATIONS', subjects: ['events.notification.>'], triggers: false },
  // Purchases of linked products (Stripe checkout), published by integrations.
  PRODUCTS: { name: 'PRODUCTS', subjects: ['events.product.>'], triggers: true },
  // Registrations for CRM events (RSVP or Eventbrite), published by calendar.
  CRM_EVENTS: { name: 'CRM_EVENTS', subjects: ['events.event.>'], triggers: true },
  DEAD_LETTER: { name: 'DEAD_LETTER', subjects: ['dlq.>'], triggers: false },
} as const;

export type StreamKey = keyof typeof STREAMS;

export const COMMANDS = {
  poolsCreate: 'leads.pools.create',
  poolsGet: 'leads.pools.get',
  poolsList: 'leads.pools.list',
  poolsUpdate: 'leads.pools.update',
  leadStatesCreate: 'leads.lead-states.create',
  leadStatesList: 'leads.lead-states.list',
  leadStatesUpdate: 'leads.lead-states.update',
  organizationSettingsGet: 'leads.organization-settings.get',
  organizationSettingsUpdate: 'leads.organization-settings.update',
  birthdaySweep: 'leads.birthdays.sweep',
  customFieldsCreate: 'leads.custom-fields.create',
  customFieldsList: 'leads.custom-fields.list',
  customFieldsGet: 'leads.custom-fields.get',
  customFieldsUpdate: 'leads.custom-fields.update',
  entriesCreate: 'leads.entries.create',
  entriesGet: 'leads.entries.get',
  entriesList: 'leads.entries.list',
  entriesUpdate: 'leads.entries.update',
  entriesDelete: 'leads.entries.delete',
  entriesAssign: 'leads.entries.assign',
  entriesTagApply: 'leads.entries.tag-apply',
  entriesTagRemove: 'leads.entries.tag-remove',
  entriesDuplicates: 'leads.entries.duplicates',
  membersCreate: 'leads.members.create',
  membersList: 'leads.members.list',
  membersGet: 'leads.members.get',
  membersUpdate: 'leads.members.update',
  membersDeactivate: 'leads.members.deactivate',
  memberGroupsCreate: 'leads.member-groups.create',
  memberGroupsList: 'leads.member-groups.list',
  memberGroupsGet: 'leads.member-groups.get',
  memberGroupsUpdate: 'leads.member-groups.update',
  memberGroupsDelete: 'leads.member-groups.delete',
  tagsCreate: 'leads.tags.create',
  tagsList: 'leads.tags.list',
  tagsGet: 'leads.tags.get',
  tagsUpdate: 'leads.tags.update',
  tagsDelete: 'leads.tags.delete',
  pipelinesCreate: 'leads.pipelines.create',
  pipelinesList: 'leads.pipelines.list',
  pipelinesGet: 'leads.pipelines.get',
  pipelinesUpdate: 'leads.pipelines.update',
  pipelinesDelete: 'leads.pipelines.delete',
  /** The pipeline holding a stage (trigger names and checks of stage triggers). */
  pipelinesByStage: 'leads.pipelines.by-stage',
  dealsCreate: 'leads.deals.create',
  dealsList: 'leads.deals.list',
  dealsGet: 'leads.deals.get',
  dealsUpdate: 'leads.deals.update',
  formsCreate: 'leads.forms.create',
  formsList: 'leads.forms.list',
  formsGet: 'leads.forms.get',
  formsUpdate: 'leads.forms.update',
  formsDelete: 'leads.forms.delete',
  /** What anyone may read of a form (the public form endpoint). */
  formsPublicGet: 'leads.forms.public-get',
  formsSubmit: 'leads.forms.submit',
  formsVerify: 'leads.forms.verify',
  /** Finds the contact of a pool by normalised email, or creates it (Stripe, Eventbrite, RSVP). */
  contactsResolve: 'leads.contacts.resolve',
  calendarsCreate: 'calendar.calendars.create',
  calendarsGet: 'calendar.calendars.get',
  calendarsList: 'calendar.calendars.list',
  calendarsUpdate: 'calendar.calendars.update',
  bookingsCreate: 'calendar.bookings.create',
  bookingsGet: 'calendar.bookings.get',
  bookingsList: 'calendar.bookings.list',
  bookingsUpdate: 'calendar.bookings.update',
  bookingsCancel: 'calendar.bookings.cancel',
  bookingsComplete: 'calendar.bookings.complete',
  bookingsDelete: 'calendar.bookings.delete',
  crmEventsCreate: 'calendar.crm-events.create',
  crmEventsList: 'calendar.crm-events.list',
  crmEventsGet: 'calendar.crm-events.get',
  crmEventsUpdate: 'calendar.crm-events.update',
  crmEventsDelete: 'calendar.crm-events.delete',
  /** What anyone may read of a CRM event (the RSVP page). */
  crmEventsPublicGet: 'calendar.crm-events.public-get',
  /** The CRM event linked to an Eventbrite event id, in one organization. */
  crmEventsByEventbriteId: 'calendar.crm-events.by-eventbrite-id',
  registrationsList: 'calendar.registrations.list',
  /** A public RSVP: matches or creates the contact, then registers it. */
  registrationsRsvp: 'calendar.registrations.rsvp',
  registrationsRsvpCancel: 'calendar.registrations.rsvp-cancel',
  /** A registration of a known contact (Eventbrite, through integrations). */
  registrationsRegister: 'calendar.registrations.register',
  automationsCreate: 'automation.automations.create',
  automationsList: 'automation.automations.list',
  automationsGet: 'automation.automations.get',
  automationsUpdate: 'automation.automations.update',
  automationsArchive: 'automation.automations.archive',
  automationsDryRun: 'automation.automations.dry-run',
  runsList: 'automation.runs.list',
  runsGet: 'automation.runs.get',
  runsRetry: 'automation.runs.retry',
  runsCancel: 'automation.runs.cancel',
  runsCompleteTask: 'automation.runs.complete-task',
  tasksList: 'automation.tasks.list',
  activityList: 'automation.activity.list',
  sandboxGet: 'automation.sandbox.get',
  sandboxSet: 'automation.sandbox.set',
  endpointsCreate: 'delivery.endpoints.create',
  endpointsList: 'delivery.endpoints.list',
  endpointsGet: 'delivery.endpoints.get',
  endpointsUpdate: 'delivery.endpoints.update',
  endpointsDelete: 'delivery.endpoints.delete',
  endpointsRotateSecret: 'delivery.endpoints.rotate-secret',
  endpointsAttempts: 'delivery.endpoints.attempts',
  endpointsTest: 'delivery.endpoints.test',
  deliveriesResend: 'delivery.deliveries.resend',
  entryDeliveries: 'delivery.entry-deliveries.list',
  emailTrack: 'delivery.email.track',
  smsCallback: 'delivery.sms.callback',
  integrationsConnectStripe: 'integrations.connections.create-stripe',
  integrationsConnectEventbrite: 'integrations.connections.create-eventbrite',
  integrationsList: 'integrations.connections.list',
  integrationsGet: 'integrations.connections.get',
  /** Replaces a connection's secrets (Stripe shows an endpoint's signing secret only after it exists). */
  integrationsUpdate: 'integrations.connections.update',
  integrationsDelete: 'integrations.connections.delete',
  /** The inbound webhooks of one connection, with their processing status. */
  integrationsDeliveries: 'integrations.connections.deliveries',
  /** A provider's webhook as received by ingress (raw body and signature header). */
  integrationsWebhookReceive: 'integrations.webhooks.receive',
  productsCreate: 'integrations.products.create',
  productsList: 'integrations.products.list',
  productsGet: 'integrations.products.get',
  productsUpdate: 'integrations.products.update',
  productsDelete: 'integrations.products.delete',
} as const;

export type CommandName = (typeof COMMANDS)[keyof typeof COMMANDS];

/** Queue groups: replicas of one service share its command load. */
export const QUEUE_GROUPS = {
  leads: 'leads',
  calendar: 'calendar',
  automation: 'automation',
  delivery: 'delivery',
  integrations: 'integrations',
} as const;

/** The streams whose events may start automations. */
export const TRIGGER_STREAMS = (Object.keys(STREAMS) as StreamKey[]).filter((key) => STREAMS[key].triggers);

/** Durable consumer names (before the namespace prefix), one per (service, stream). */
export const CONSUMERS = {
  automationEvents: (stream: StreamKey): string => `automation-${stream.toLowerCase()}`,
  deliveryRequests: 'delivery-requests',
  /** Notifications other services ask delivery to send (NOTIFICATIONS stream). */
  deliveryNotifications: 'delivery-notifications',
  /** Event subscriptions of webhook endpoints: delivery reads every stream whose events may be subscribed. */
  deliverySubscriptions: (stream: StreamKey): string => `delivery-${stream.toLowerCase()}`,
  /** Delivery outcomes, picked up by the run step that asked for them. */
  automationDeliveryOutcomes: 'automation-delivery-outcomes',
  /** Booking changes that plan, move or cancel appointment reminders (calendar.appointment.before / after). */
  automationReminders: 'automation-reminders',
  /** The lead's activity timeline: automation keeps the events about a lead, one durable per stream read. */
  automationActivity: (stream: StreamKey): string => `automation-activity-${stream.toLowerCase()}`,
} as const;

/** The streams whose events make a lead's activity timeline: every trigger stream and delivery outcomes. */
export const ACTIVITY_STREAMS: StreamKey[] = [...new Set<StreamKey>([...TRIGGER_STREAMS, 'DELIVERY'])];

const NAMESPACE_PATTERN = /^[a-z0-9][a-z0-9-]{0,30}$/;

export class WireNames {
  private readonly subjectPrefix: string;
  private readonly streamPrefix: string;

  constructor(readonly namespace = '') {
    if (namespace !== '' && !NAMESPACE_PATTERN.test(namespace)) {
      throw new Error(`Invalid namespace "${namespace}": use lowercase letters, digits and dashes`);
    }
    this.subjectPrefix = namespace ? `${namespace}.` : '';
    this.streamPrefix = namespace ? `${namespace.toUpperCase().replace(/-/g, '_')}_` : '';
  }

  eventSubject(type: string): string {
    return `${this.subjectPrefix}events.${type}`;
  }

  /** The event type carried by a subject, or null when the subject is not an event subject of this namespace. */
  eventTypeOf(subject: string): string | null {
    const prefix = `${this.subjectPrefix}events.`;
    return subject.startsWith(prefix) ? subject.slice(prefix.length) : null;
  }

  stream(key: StreamKey): { name: string; subjects: string[] } {
    const def = STREAMS[key];
    return {
      name: `${this.streamPrefix}${def.name}`,
      subjects: def.subjects.map((s) => `${this.subjectPrefix}${s}`),
    };
  }

  deadLetterSubject(consumer: string): string {
    return `${this.subjectPrefix}dlq.${consumer}`;
  }

  command(name: CommandName): string {
    return `${this.subjectPrefix}cmd.${name}`;
  }

  consumer(name: string): string {
    return `${this.streamPrefix}${name}`;
  }
}
