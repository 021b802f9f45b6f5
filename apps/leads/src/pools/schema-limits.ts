import {
  jsonByteLength,
  MAX_SCHEMA_BYTES,
  MAX_SCHEMA_KEYS,
  tooLarge,
  tooManyKeys,
  type TableSchema,
} from '@rocketlead/contracts';
import { mergeSchema } from '../entries/schema-inference';

/**
 * The schema `current` would become with `added`, refused (400 over MAX_SCHEMA_KEYS keys, 413 over
 * MAX_SCHEMA_BYTES) before anything is stored, naming the request field that would have grown it.
 */
export function assertSchemaFits(current: TableSchema, added: TableSchema, field: string): TableSchema {
  const merged = mergeSchema(current, added);
  const count = Object.keys(merged).length;
  if (count > MAX_SCHEMA_KEYS) throw tooManyKeys(field, 'The lead pool schema', count, MAX_SCHEMA_KEYS);
  const bytes = jsonByteLength(merged);
  if (bytes > MAX_SCHEMA_BYTES) throw tooLarge(field, 'The lead pool schema', bytes, MAX_SCHEMA_BYTES);
  return merged;
}
