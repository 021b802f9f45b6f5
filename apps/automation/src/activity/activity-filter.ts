/**
 * The `types` of a timeline query: exact types (`table.entry.added`, `send_email`), prefixes ending in `.*`
 * (`calendar.appointment.*` matches every type under `calendar.appointment.`) and `*` (everything), the
 * patterns webhook endpoints subscribe with. Null: no filter.
 */
export interface ActivityTypeFilter {
  exact: string[];
  prefixes: string[];
}

export function activityTypeFilter(types: readonly string[] | undefined): ActivityTypeFilter | null {
  if (!types || types.length === 0 || types.includes('*')) return null;
  const exact = new Set<string>();
  const prefixes = new Set<string>();
  for (const type of types) {
    if (type.endsWith('.*')) prefixes.add(type.slice(0, -1));
    else exact.add(type);
  }
  return { exact: [...exact], prefixes: [...prefixes] };
}
