import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * X-Twilio-Signature of a form POST: the full URL (query string included, as requested) followed by every
 * parameter's name and value in sorted name order, HMAC-SHA1 with the account's auth token, base64.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const hmac = createHmac('sha1', authToken);
  hmac.update(url, 'utf8');
  // Plain code-unit order, as Twilio's own helper libraries sort.
  for (const name of Object.keys(params).sort()) hmac.update(name + params[name], 'utf8');
  return hmac.digest('base64');
}

/**
 * The same URL with and without the scheme's default port: Twilio signs the URL as it was configured,
 * while proxies may add or drop an explicit :443 / :80, so its helper libraries accept both.
 */
function urlVariants(url: string): string[] {
  const match = /^(https?):\/\/([^/?#@]*@)?(\[[^\]]*\]|[^/?#:]*)(:\d*)?(.*)$/is.exec(url);
  if (match === null) return [url];
  const [, scheme, userInfo = '', host, port, rest] = match;
  const defaultPort = scheme.toLowerCase() === 'https' ? ':443' : ':80';
  if (port === undefined) return [url, `${scheme}://${userInfo}${host}${defaultPort}${rest}`];
  if (port === defaultPort) return [url, `${scheme}://${userInfo}${host}${rest}`];
  return [url];
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  // Lengths of base64 HMAC-SHA1 values are public (always 28), so comparing them first leaks nothing.
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Whether `signature` (the X-Twilio-Signature header) was made by the holder of `authToken` for this request. */
export function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: Record<string, string>,
  signature: string,
): boolean {
  if (authToken === '' || signature === '') return false;
  let valid = false;
  // Every variant is checked (no early exit), so the time taken does not tell which one matched.
  for (const candidate of urlVariants(url)) {
    if (sameText(twilioSignature(authToken, candidate, params), signature.trim())) valid = true;
  }
  return valid;
}
