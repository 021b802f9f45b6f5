import { validationFailed, DomainError, isEmailAddress } from '@rocketlead/contracts';
import type { RegistrationStatus } from './event-registration.entity';

// The decisions about CRM events and registrations that need no I/O, so they are tested without a database.

export const eventNotFound = (): DomainError => new DomainError('NOT_FOUND', 'Event not found');
export const registrationNotFound = (): DomainError => new DomainError('NOT_FOUND', 'Registration not found');
export const eventFull = (): DomainError => new DomainError('CONFLICT', 'Event is full');

export const eventbriteLinked = (eventId: string | null): DomainError =>
  new DomainError(
    'CONFLICT',
    eventId
      ? `eventbriteEventId is already linked to event ${eventId}`
      : 'eventbriteEventId is already linked to another event',
    {
      errors: [{ field: 'eventbriteEventId', message: 'is already linked to another event' }],
      eventId,
    },
  );

/** A 400 naming `email` unless it is an email address. */
export function checkEmail(email: string): void {
  if (!isEmailAddress(email))
    throw validationFailed([{ field: 'email', message: 'must be an email address' }]);
}

/** Places left for RSVPs: never below zero (capacity may be lowered under the active count); null = unlimited. */
export function spotsLeft(capacity: number | null, active: number): number | null {
  return capacity === null ? null : Math.max(0, capacity - active);
}

export type RegistrationStep = 'create' | 'reactivate' | 'already_active' | 'full';

/**
 * What registering a contact does, given its registration for the event (if any), the capacity that applies
 * (null: none, as for Eventbrite orders) and the active count. An active registration is answered as it is,
 * full or not; only a new or re-activated one takes a place.
 */
export function registrationStep(
  existing: RegistrationStatus | null,
  capacity: number | null,
  active: number,
): RegistrationStep {
  if (existing === 'active') return 'already_active';
  if (capacity !== null && active >= capacity) return 'full';
  return existing === 'cancelled' ? 'reactivate' : 'create';
}
