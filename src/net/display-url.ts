/**
 * A URL as logs and error messages may show it: scheme, host, port and path only. Userinfo and the query
 * string are where URLs carry credentials (`https://user:pass@…`, `?sig=…`, `?key=…`); the fragment is
 * never sent anyway. Text that is not a URL is replaced, not echoed.
 */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
