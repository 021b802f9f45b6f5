import { DomainError, type EntryChangeCommand } from '@rocketlead/contracts';
import { StepFailure, requireEntry, type StepInput } from './action-handler';

/**
 * What every entry change of a step carries: the lead, who makes it, the step's idempotency key (a repeat
 * applies nothing), the run as its cause and the depth of the events it causes (cascade protection).
 */
export function entryChange(input: StepInput): EntryChangeCommand {
  return {
    actor: input.actor,
    id: requireEntry(input),
    idempotencyKey: input.idempotencyKey,
    causationId: input.run.id,
    depth: input.run.depth + 1,
  };
}

/**
 * A change leads refuses (VALIDATION_FAILED) fails the step for good, keeping leads' details (typeErrors,
 * errors) with it: they say which field is wrong and how. Other errors pass unchanged.
 */
export async function failOnRefusal<T>(change: Promise<T>): Promise<T> {
  try {
    return await change;
  } catch (error) {
    if (error instanceof DomainError && error.code === 'VALIDATION_FAILED' && error.details)
      throw new StepFailure(describeValidation(error), { code: error.code, ...error.details });
    throw error;
  }
}

function describeValidation(error: DomainError): string {
  const typeErrors = error.details?.typeErrors as
    { key: string; expected: string; received: string }[] | undefined;
  const errors = error.details?.errors as { field: string; message: string }[] | undefined;
  const parts = [
    ...(typeErrors ?? []).map((e) => `${e.key}: expected ${e.expected}, received ${e.received}`),
    ...(errors ?? []).map((e) => `${e.field} ${e.message}`),
  ];
  return parts.length ? `${error.message}: ${parts.join('; ')}` : error.message;
}
