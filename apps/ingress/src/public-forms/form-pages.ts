// The pages a browser gets from a form's verification link (the link of the confirmation email).
import type { FormSubmitResult } from '@rocketlead/contracts';
import { correctionPage, htmlPage as page } from '../http/html-page';

/** The answer to a followed link when the form has no redirect URL. */
export function confirmationPage(formName: string): string {
  return page('Confirmed', `Thank you \u2014 your submission to ${formName} is confirmed.`);
}

/** What a browser shows after posting a form without script: received, or waiting for the emailed link. */
export function submittedPage(status: FormSubmitResult['status']): string {
  return status === 'accepted'
    ? page('Thank you', 'Thank you \u2014 your submission was received.')
    : page(
        'Please confirm',
        'Thank you \u2014 please confirm your submission with the link we just emailed you.',
      );
}

/** A refused submission for a person: the fields to correct (by key), or what went wrong. */
export function submissionErrorPage(
  statusCode: number,
  errors: { field: string; message: string }[],
): string {
  if (statusCode === 400 && errors.length > 0) return correctionPage(errors);
  switch (statusCode) {
    case 404:
      return page('Form not found', 'This form does not exist (any more).');
    case 409:
      return page(
        'Not sent',
        'This could not be sent (for a booking: the time is no longer free). Please go back and try again.',
      );
    default:
      return page('Not sent', 'Your submission could not be sent. Please go back and try again.');
  }
}

/** A refused link, said in words a contact understands (the JSON error body is for programs). */
export function verificationErrorPage(statusCode: number): string {
  switch (statusCode) {
    case 404:
      return page('Link not found', 'This confirmation link is not valid. Please check that it is complete.');
    case 410:
      return page('Link no longer valid', 'This confirmation link was already used or has expired.');
    case 400:
      return page(
        'Incomplete link',
        'This confirmation link is incomplete. Please open the full link again.',
      );
    default:
      return page('Not confirmed', 'Your submission could not be confirmed.');
  }
}
