import { actionDefinition, isActionType, type AutomationAction } from '@rocketlead/contracts';

const runsFirst = (action: AutomationAction): boolean =>
  isActionType(action.type) && actionDefinition(action.type).runsFirst === true;

/**
 * The order a run executes its top-level actions in: those whose definition says `runsFirst` (assignment,
 * Lead Actions: "always processed first") before the others, each group in its listed order (a stable
 * partition). Actions keep their ids, so every step still names the action it is.
 */
export function executionOrder(actions: readonly AutomationAction[]): AutomationAction[] {
  return [...actions.filter(runsFirst), ...actions.filter((action) => !runsFirst(action))];
}
