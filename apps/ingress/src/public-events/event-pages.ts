// What a browser shows after posting an RSVP (or its cancellation) without script; programs get JSON.
import type { RsvpResult } from '@rocketlead/contracts';
import { correctionPage, htmlPage } from '../http/html-page';

export function registeredPage(status: RsvpResult['status']): string {
  return status === 'registered'
    ? htmlPage('Registered', 'Thank you \u2014 you are registered.')
    : htmlPage('Already registered', 'You are already registered for this event.');
}

export function cancelledPage(): string {
  return htmlPage('Registration cancelled', 'Your registration is cancelled.');
}

/** A refused RSVP or cancellation, in words a person understands. */
export function rsvpErrorPage(
  action: 'rsvp' | 'cancel',
  statusCode: number,
  errors: { field: string; message: string }[],
): string {
  if (statusCode === 400 && errors.length > 0) return correctionPage(errors);
  switch (statusCode) {
    case 404:
      return action === 'rsvp'
        ? htmlPage('Event not found', 'This event does not exist (any more).')
        : htmlPage('No registration', 'There is no registration for this address to cancel.');
    case 409:
      return htmlPage('Event full', 'Sorry \u2014 this event is full.');
    default:
      return htmlPage('Not sent', 'This could not be sent. Please go back and try again.');
  }
}
