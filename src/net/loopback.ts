/**
 * The one definition of "loopback" for the whole gateway: bind addresses (is this listener reachable
 * only from this machine?), Host headers (is this request addressed to this machine by name?) and URLs
 * (is plain http acceptable here?). Every caller imports it; two definitions that disagree make a
 * listener refuse its own traffic or accept a rebinding attacker's.
 *
 * Loopback: `localhost` and any `*.localhost` name (RFC 6761), every IPv4 address in 127.0.0.0/8 in any
 * spelling the WHATWG URL parser accepts (`127.1`, `0x7f.0.0.1`), `::1` in any spelling, and IPv4-mapped
 * IPv6 loopback (`::ffff:127.0.0.1`). Brackets and a trailing dot are accepted. The unspecified
 * addresses `0.0.0.0` and `::` are NOT loopback: a listener bound there answers every interface.
 */

/** True when `host` (a hostname or IP literal without a port, brackets allowed) names this machine only. */
export function isLoopback(host: string): boolean {
  let h = host.trim().toLowerCase();
  if (h.endsWith('.')) h = h.slice(0, -1);
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h === '') return false;
  if (h.includes(':')) return isLoopbackV6(h);
  const v4 = canonicalHost(h);
  return v4 !== undefined && /^127\.\d+\.\d+\.\d+$/.test(v4);
}

function isLoopbackV6(h: string): boolean {
  const c = canonicalHost(`[${h}]`);
  if (c === undefined) return false;
  const ip = c.slice(1, -1);
  if (ip === '::1') return true;
  // IPv4-mapped: the URL parser writes ::ffff:127.0.0.1 as ::ffff:7f00:1.
  const mapped = /^::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}$/.exec(ip);
  return mapped !== null && parseInt(mapped[1]!, 16) >> 8 === 127;
}

/** The hostname as the WHATWG URL parser normalises it, or undefined when it is not a valid host. */
function canonicalHost(h: string): string | undefined {
  try {
    return new URL(`http://${h}/`).hostname;
  } catch {
    return undefined;
  }
}
