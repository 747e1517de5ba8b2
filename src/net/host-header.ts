/**
 * What a Host header may be before the gateway builds a URL from it (RFC 9110 §7.2 / RFC 3986 host):
 * a registered name or IPv4 address, or a bracketed IPv6 address, then an optional port of 1–65535.
 * No userinfo, path, spaces or percent-encoding: anything else is a client error, never part of a URL
 * the gateway advertises.
 */
const HOST =
  /^(?:[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*\.?|\[[0-9a-f:.]+\])(?::(\d{1,5}))?$/i;

export function isValidHostHeader(host: string | undefined): host is string {
  if (host === undefined) return false;
  const m = HOST.exec(host);
  if (!m) return false;
  const port = m[1];
  return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
}
