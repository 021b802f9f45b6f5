/** An absolute http(s) URL without spaces or control characters: safe as a `location` header as it is. */
export function isRedirectable(value: string | null): value is string {
  if (value === null || !URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  if (protocol !== 'http:' && protocol !== 'https:') return false;
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f) return false;
  }
  return true;
}
