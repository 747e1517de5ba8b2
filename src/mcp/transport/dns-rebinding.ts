import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../../errors/registry.js';
import { isLoopback } from '../../net/loopback.js';

export const DNS_REBINDING_MESSAGE =
  'MCP DNS rebinding protection: Host/Origin must be localhost, 127.0.0.1, or [::1]';

/**
 * DNS-rebinding protection: the Host must be a loopback name (any port; src/net/loopback.ts) and the Origin,
 * when present, exactly one localhost http(s) origin. It must live in the gateway: upstreams only ever see
 * the gateway's own Host header.
 */
export function checkDnsRebinding(req: IncomingMessage): void {
  if (!hostAllowed(req.headers.host) || !originAllowed(origins(req))) {
    throw new GatewayError('DNS_REBINDING', DNS_REBINDING_MESSAGE);
  }
}

/** Every Origin field; `headersDistinct` (an object of every header, built per read) only when one is there. */
function origins(req: IncomingMessage): string[] | undefined {
  return req.headers.origin === undefined ? undefined : req.headersDistinct.origin;
}

function hostAllowed(host: string | undefined): boolean {
  if (!host) return false;
  let name = host.trim().toLowerCase();
  if (name.startsWith('[')) {
    const end = name.indexOf(']');
    if (end < 0) return false;
    const rest = name.slice(end + 1);
    if (rest !== '' && !/^:\d+$/.test(rest)) return false;
    name = name.slice(1, end);
  } else {
    const colon = name.indexOf(':');
    if (colon >= 0) {
      if (!/^\d+$/.test(name.slice(colon + 1))) return false;
      name = name.slice(0, colon);
    }
  }
  return isLoopback(name);
}

function originAllowed(origins: string[] | undefined): boolean {
  if (origins === undefined || origins.length === 0) return true;
  if (origins.length !== 1) return false;
  const value = (origins[0] as string).trim();
  if (value === '' || value.toLowerCase() === 'null') return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') return false;
  if (url.pathname !== '/' || /[?#]/.test(value)) return false;
  return isLoopback(url.hostname);
}
