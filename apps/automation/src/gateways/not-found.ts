import { DomainError } from '@rocketlead/contracts';

/** The answer of a lookup, or null when the owning service says NOT_FOUND; other errors go on. */
export async function orNull<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof DomainError && error.code === 'NOT_FOUND') return null;
    throw error;
  }
}
