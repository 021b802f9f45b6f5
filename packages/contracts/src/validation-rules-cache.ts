import { getMetadataStorage } from 'class-validator';

type Storage = ReturnType<typeof getMetadataStorage>;
type Lookup = Storage['getTargetValidationMetadatas'];
type Grouping = Storage['groupByPropertyName'];
type ValidationMetadata = ReturnType<Lookup>[number];

const CACHED = Symbol.for('rocketlead.validationRulesCache');

/**
 * class-validator finds a class's rules by testing `instanceof` against every class that has any (hundreds
 * here, since every message of every service registers), on every validate call and for every nested
 * object: 5-7 % of ingress's and leads' CPU under load. The rules only change when a decorator registers
 * one, so the answer is kept per class and options and forgotten whenever a rule is added. Installed on the
 * process-wide storage once, whoever loads contracts first; Nest's ValidationPipe reads the same storage.
 */
export function cacheValidationRules(storage: Storage = getMetadataStorage()): void {
  const marked = storage as Storage & { [CACHED]?: true };
  if (marked[CACHED]) return;
  marked[CACHED] = true;

  const lookup: Lookup = storage.getTargetValidationMetadatas.bind(storage);
  const group: Grouping = storage.groupByPropertyName.bind(storage);
  const addRule = storage.addValidationMetadata.bind(storage);
  let rules = new Map<unknown, Map<string, ValidationMetadata[]>>();
  let groups = new WeakMap<ValidationMetadata[], ReturnType<Grouping>>();

  storage.addValidationMetadata = (metadata) => {
    rules = new Map();
    groups = new WeakMap();
    addRule(metadata);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groupNames) => {
    const key = `${schema}\u0000${always}\u0000${strictGroups}\u0000${(groupNames ?? []).join('\u0000')}`;
    let byOptions = rules.get(target);
    if (!byOptions) rules.set(target, (byOptions = new Map<string, ValidationMetadata[]>()));
    let found = byOptions.get(key);
    if (!found) byOptions.set(key, (found = lookup(target, schema, always, strictGroups, groupNames)));
    return found;
  };
  // The executor groups the same (now cached) list on every call; the grouping is read-only there.
  storage.groupByPropertyName = (metadata) => {
    let grouped = groups.get(metadata);
    if (!grouped) groups.set(metadata, (grouped = group(metadata)));
    return grouped;
  };
}
