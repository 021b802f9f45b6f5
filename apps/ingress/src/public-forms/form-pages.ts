// The pages a browser gets from a form's verification link (the link of the confirmation email).
import { escapeHtml, type FormSubmitResult } from '@rocketlead/contracts';

function page(title: string, message: string): string {
  return (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(title)}</title></head><body><p>${escapeHtml(message)}</p></body></html>`
  );
}

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
  if (statusCode === 400 && errors.length > 0)
    return page(
      'Please check the form',
      `Please go back and check: ${errors.map((e) => `${e.field} (${e.message})`).join('; ')}.`,
    );
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

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

function mediaRanges(accept: string): MediaRange[] {
  return accept.split(',').flatMap((part) => {
    const [range = '', ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const [type, subtype] = range.split('/');
    if (!type || !subtype) return [];
    const qParam = params.find((param) => param.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    return Number.isFinite(q) ? [{ type, subtype, q }] : [];
  });
}

/** The quality the client gives a media type, and how specific the range that gave it was (2 exact, 0 `*\/*`). */
function preference(ranges: MediaRange[], type: string, subtype: string): { q: number; specificity: number } {
  let best = { q: 0, specificity: -1 };
  for (const range of ranges) {
    const specificity =
      range.type === type && range.subtype === subtype
        ? 2
        : range.type === type && range.subtype === '*'
          ? 1
          : range.type === '*' && range.subtype === '*'
            ? 0
            : -1;
    if (specificity > best.specificity) best = { q: range.q, specificity };
  }
  return { q: Math.max(best.q, 0), specificity: best.specificity };
}

/**
 * Whether the `Accept` header prefers HTML to JSON: a browser following the link (`text/html,...,*\/*;q=0.8`)
 * does; programs sending `*\/*`, `application/json` or nothing get JSON.
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranges = mediaRanges(accept);
  const html = preference(ranges, 'text', 'html');
  const json = preference(ranges, 'application', 'json');
  if (html.q !== json.q) return html.q > json.q;
  return html.q > 0 && html.specificity > json.specificity;
}
