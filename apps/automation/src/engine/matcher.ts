import {
  EVENT_DEFINITIONS,
  dataAt,
  isKnownEventType,
  scopeIdOf,
  type AutomationAction,
  type AutomationTrigger,
} from '@rocketlead/contracts';
import { evaluateCriteria, type CriteriaResult } from '../conditions/conditions';
import type { RunContext } from './run-context';

/** An active automation as the engine keeps it in memory. */
export interface ActiveAutomation {
  id: string;
  organizationId: string;
  seq: number;
  name: string;
  trigger: AutomationTrigger;
  actions: AutomationAction[];
  sandbox: boolean;
  version: number;
}

/** An organization's active automations by event type, each list in creation order. */
export type AutomationIndex = ReadonlyMap<string, readonly ActiveAutomation[]>;

export function buildIndex(automations: readonly ActiveAutomation[]): AutomationIndex {
  const index = new Map<string, ActiveAutomation[]>();
  for (const automation of [...automations].sort((a, b) => a.seq - b.seq)) {
    const list = index.get(automation.trigger.event) ?? [];
    list.push(automation);
    index.set(automation.trigger.event, list);
  }
  return index;
}

/**
 * The event part of a trigger: same type, the scoped object (`triggerId`: an id, or a composite such as
 * `<pipelineId>_won`), and for transitions `from` / `to` (`from: null` is the initial state; an absent `from`
 * or `to` is any).
 */
export function matchTrigger(
  trigger: AutomationTrigger,
  event: { type: string; data: unknown },
): CriteriaResult {
  if (trigger.event !== event.type) return { matched: false, reason: 'event type differs' };
  if (!isKnownEventType(event.type)) return { matched: false, reason: 'unknown event type' };
  const definition = EVENT_DEFINITIONS[event.type];
  // The scope's anyId (`__birthday__`) stands for every object of the kind.
  if (
    trigger.triggerId !== undefined &&
    trigger.triggerId !== null &&
    trigger.triggerId !== definition.scope?.anyId
  ) {
    if (!definition.scope || scopeIdOf(definition, event.data) !== trigger.triggerId)
      return { matched: false, reason: 'trigger.triggerId does not match' };
  }
  const transition = definition.transition;
  if (transition) {
    if (trigger.from !== undefined && dataAt(event.data, transition.from) !== trigger.from)
      return { matched: false, reason: 'trigger.from does not match' };
    if (trigger.to !== undefined && trigger.to !== null && dataAt(event.data, transition.to) !== trigger.to)
      return { matched: false, reason: 'trigger.to does not match' };
  }
  return { matched: true };
}

/** The automations of the index whose trigger matches the event (not yet their conditions), in order. */
export function triggeredBy(
  index: AutomationIndex,
  event: { type: string; data: unknown },
): ActiveAutomation[] {
  return (index.get(event.type) ?? []).filter(
    (automation) => matchTrigger(automation.trigger, event).matched,
  );
}

/** Trigger, then conditions and `match` over the run context: the whole decision, with the reason. */
export function matchAutomation(
  trigger: AutomationTrigger,
  event: { type: string; data: unknown },
  context: RunContext,
): CriteriaResult {
  const triggered = matchTrigger(trigger, event);
  if (!triggered.matched) return triggered;
  return evaluateCriteria(trigger, context as unknown as Record<string, unknown>);
}
