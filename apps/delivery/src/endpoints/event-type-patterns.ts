import { SUBSCRIBABLE_EVENT_TYPES, type FieldError } from '@rocketlead/contracts';

/** `table.entry.added` matches itself, `calendar.appointment.*` every type under it, `*` everything. */
export function patternMatches(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

/** Patterns that match no event type the platform publishes are refused: they would never fire. */
export function eventTypeErrors(patterns: readonly string[]): FieldError[] {
  const errors: FieldError[] = [];
  patterns.forEach((pattern, index) => {
    if (!SUBSCRIBABLE_EVENT_TYPES.some((type) => patternMatches(pattern, type)))
      errors.push({
        field: `eventTypes[${index}]`,
        message: `${pattern} matches no event type (e.g. ${SUBSCRIBABLE_EVENT_TYPES.slice(0, 2).join(', ')})`,
      });
  });
  return errors;
}
