import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@rocketlead/contracts';
import { UnreadableSecretsError } from '../connections/connection-secrets';
import { ProviderError } from '../providers';
import { failureOf } from './processing-outcome';

describe('failureOf', () => {
  it('retries transient provider errors, unavailable services and the unexpected', () => {
    expect(failureOf(new ProviderError('Stripe API: HTTP 503: down', true))).toEqual({
      transient: true,
      reason: 'Stripe API: HTTP 503: down',
    });
    expect(failureOf(new DomainError('UNAVAILABLE', 'no reply from leads')).transient).toBe(true);
    expect(failureOf(new DomainError('INTERNAL', 'Internal server error')).transient).toBe(true);
    expect(failureOf(new Error('Connection terminated unexpectedly'))).toEqual({
      transient: true,
      reason: 'Connection terminated unexpectedly',
    });
  });

  it('fails at once on refusals, naming the refused fields', () => {
    expect(failureOf(new ProviderError('Eventbrite API: HTTP 401', false)).transient).toBe(false);
    expect(
      failureOf(
        new DomainError('VALIDATION_FAILED', 'Validation failed', {
          errors: [{ field: 'email', message: 'must be an email address' }],
        }),
      ),
    ).toEqual({
      transient: false,
      reason: 'VALIDATION_FAILED: Validation failed (email must be an email address)',
    });
    expect(failureOf(new UnreadableSecretsError()).transient).toBe(false);
  });

  it('keeps reasons short', () => {
    expect(failureOf(new Error('x'.repeat(5000))).reason).toHaveLength(1000);
  });
});
