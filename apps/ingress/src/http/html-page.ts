// Short pages for people whose browser posts a public form or follows a link without script; programs get JSON.
import { escapeHtml } from '@rocketlead/contracts';

/** The content type of the pages. */
export const HTML = { 'content-type': 'text/html; charset=utf-8' };

/** What a public route answers: its status, headers beyond the route's own, and body (JSON or a page). */
export interface PublicAnswer<T> {
  statusCode: number;
  headers: Record<string, string>;
  body: T;
}

/** A minimal page saying one thing; title and message are escaped. */
export function htmlPage(title: string, message: string): string {
  return (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(title)}</title></head><body><p>${escapeHtml(message)}</p></body></html>`
  );
}

/** A refused post for a person: the fields to correct, by name (a 400 of the validation). */
export function correctionPage(errors: readonly { field: string; message: string }[]): string {
  return htmlPage(
    'Please check the form',
    `Please go back and check: ${errors.map((e) => `${e.field} (${e.message})`).join('; ')}.`,
  );
}

/** The field errors of an error answer (`errors` of a 400 of the validation), else none. */
export function fieldErrorsOf(answer: Record<string, unknown>): { field: string; message: string }[] {
  return Array.isArray(answer.errors) ? (answer.errors as { field: string; message: string }[]) : [];
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
