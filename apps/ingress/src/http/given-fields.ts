/** Only the fields the client sent: a PATCH leaves the others as they are (null is sent, to be refused or kept). */
export function given<T extends object, K extends keyof T>(dto: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (dto[key] !== undefined) out[key] = dto[key];
  return out;
}
