import type { FieldError, TaskFieldType } from '@rocketlead/contracts';

/** Longest string a task output field may hold. */
export const TASK_OUTPUT_STRING_MAX = 10_000;

function fieldError(value: unknown, type: TaskFieldType): string | null {
  switch (type) {
    case 'string':
      if (typeof value !== 'string') return 'must be a string';
      return value.length > TASK_OUTPUT_STRING_MAX
        ? `must be at most ${TASK_OUTPUT_STRING_MAX} characters`
        : null;
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be a boolean';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'must be a number';
    case 'date':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value))
        ? null
        : 'must be an ISO 8601 date-time';
  }
}

/** Checks a person's output against the task's declared fields: each one given, of its type, nothing else. */
export function checkTaskOutput(
  output: Record<string, unknown>,
  fields: Record<string, TaskFieldType>,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const [name, type] of Object.entries(fields)) {
    if (!Object.prototype.hasOwnProperty.call(output, name) || output[name] === null) {
      errors.push({ field: `output.${name}`, message: `is required (${type})` });
      continue;
    }
    const message = fieldError(output[name], type);
    if (message) errors.push({ field: `output.${name}`, message });
  }
  for (const name of Object.keys(output))
    if (!Object.prototype.hasOwnProperty.call(fields, name))
      errors.push({ field: `output.${name}`, message: 'is not a field of this task' });
  return errors;
}
