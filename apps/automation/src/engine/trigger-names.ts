import { Injectable } from '@nestjs/common';
import {
  EVENT_DEFINITIONS,
  dataAt,
  isKnownEventType,
  scopeIdOf,
  type TriggerKind,
} from '@rocketlead/contracts';
import { JsonLogger } from '@rocketlead/observability';
import { CalendarGateway } from '../gateways/calendar.gateway';
import { IntegrationsGateway } from '../gateways/integrations.gateway';
import { LeadsGateway } from '../gateways/leads.gateway';
import { DEAL_STATUS_NAMES, parsePipelineStatusId } from './pipeline-status-id';

/** Names are for display only: a short-lived copy is good enough and spares the owning services. */
const TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;

interface Cached {
  value: Promise<string | null>;
  at: number;
}

/**
 * The human-readable trigger of a run, resolved from the service owning the object the event is scoped to
 * (Gordon's trigger resolution): the pool's name, the calendar's name, `Pool: From → To` for state changes,
 * `Pipeline: Stage` for a deal's stage, `Pipeline: Won` / `Pipeline: Lost` for its status, or the name the
 * event carries itself (a tag's, scope.nameField).
 * A name that cannot be read (owner down, object gone) falls back to the id: it never holds up a run.
 */
@Injectable()
export class TriggerNames {
  private readonly cache = new Map<string, Cached>();
  // One resolver per kind of trigger scope: a new kind in the contracts is a compile error here until named.
  private readonly resolvers: Record<TriggerKind, (org: string, id: string) => Promise<string | null>> = {
    pool: async (org, id) => (await this.leads.pool(org, id))?.name ?? null,
    calendar: async (org, id) => (await this.calendars.calendar(org, id))?.name ?? null,
    tag: async (org, id) => (await this.leads.tag(org, id))?.name ?? null,
    stage: async (org, id) => {
      const pipeline = await this.leads.pipelineByStage(org, id);
      const stage = pipeline?.stages.find((s) => s.id === id);
      return pipeline && stage ? `${pipeline.name}: ${stage.name}` : null;
    },
    // The composite `<pipelineId>_<status>`: one cache entry per pipeline and status.
    pipelineStatus: async (org, id) => {
      const parsed = parsePipelineStatusId(id);
      const pipeline = parsed ? await this.leads.pipeline(org, parsed.pipelineId) : null;
      return parsed && pipeline ? `${pipeline.name}: ${DEAL_STATUS_NAMES[parsed.status]}` : null;
    },
    // Form events carry the form's name; a lookup only for an event without it.
    form: async (org, id) => (await this.leads.form(org, id))?.name ?? null,
    // Purchases and registrations carry the product's or event's name too, like forms.
    product: async (org, id) => (await this.integrations.product(org, id))?.name ?? null,
    crmEvent: async (org, id) => (await this.calendars.crmEvent(org, id))?.name ?? null,
  };

  constructor(
    private readonly leads: LeadsGateway,
    private readonly calendars: CalendarGateway,
    private readonly integrations: IntegrationsGateway,
    private readonly logger: JsonLogger,
  ) {}

  async resolve(organizationId: string, event: { type: string; data: unknown }): Promise<string | null> {
    if (!isKnownEventType(event.type)) return null;
    const definition = EVENT_DEFINITIONS[event.type];
    if (!definition.scope) return definition.name ?? null;
    // A fixed name for the event whatever its object ("Contact's Birthday"): no lookup.
    if (definition.scope.name !== undefined) return definition.scope.name;
    const scopeId = scopeIdOf(definition, event.data);
    if (scopeId === undefined) return null;
    const kind = definition.scope.kind;
    // The event names its object itself (tag events): its name as it was then, with no lookup.
    if (definition.scope.nameField !== undefined) {
      const name = dataAt(event.data, definition.scope.nameField);
      return typeof name === 'string' && name !== '' ? name : scopeId;
    }
    const scopeName =
      (await this.cached(`${kind}:${organizationId}:${scopeId}`, () =>
        this.resolvers[kind](organizationId, scopeId),
      )) ?? scopeId;
    const transition = definition.transition;
    if (!transition || kind !== 'pool') return scopeName;
    const from = dataAt(event.data, transition.from);
    const to = dataAt(event.data, transition.to);
    const states = await this.cached(`states:${organizationId}:${scopeId}`, async () =>
      JSON.stringify(
        Object.fromEntries((await this.leads.states(organizationId, scopeId)).map((s) => [s.id, s.name])),
      ),
    );
    const names = JSON.parse(states ?? '{}') as Record<string, string>;
    const stateName = (id: unknown): string => (typeof id === 'string' ? (names[id] ?? id) : '(initial)');
    return `${scopeName}: ${stateName(from)} → ${stateName(to)}`;
  }

  private cached(key: string, load: () => Promise<string | null>): Promise<string | null> {
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && now - hit.at < TTL_MS) return hit.value;
    if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
    const value = load().catch((error: unknown) => {
      this.logger.event('warn', 'trigger name not resolved', { key, error: (error as Error).message });
      this.cache.delete(key);
      return null;
    });
    this.cache.set(key, { value, at: now });
    return value;
  }
}
