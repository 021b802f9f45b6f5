/**
 * A provider API call failed. transient: worth retrying later (timeout, network, 429, 5xx); else permanent
 * (401/403/404/400, bad answer). The message names what failed, never a secret.
 */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/** 429 and 5xx say "not now"; any other non-2xx would be answered the same way next time. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
