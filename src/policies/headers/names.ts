/**
 * Header-name and method rules shared by the header policies, CORS and upstream header hygiene.
 * RFC 9110 §5.1 (field names are tokens) and §7.6.1 (hop-by-hop fields).
 */

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Field values: visible ASCII, obs-text, space and tab — never CR, LF or NUL (response splitting). */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** A header name or a method: an RFC 9110 token. */
export function isToken(s: string): boolean {
  return TOKEN.test(s);
}

export function isValidHeaderValue(s: string): boolean {
  return FIELD_VALUE.test(s);
}

/** Connection-scoped fields: meaningful only for one hop, never copied or configured. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

/** Hop-by-hop by name: the fixed list plus every `proxy-*` field (Proxy-Authorization, Proxy-Authenticate…). */
export function isHopByHop(lowerName: string): boolean {
  return HOP_BY_HOP.has(lowerName) || lowerName.startsWith('proxy-');
}

/** Fields the gateway computes itself on every hop; configuring them would corrupt framing or routing. */
export function isManagedByGateway(lowerName: string): boolean {
  return isHopByHop(lowerName) || lowerName === 'host' || lowerName === 'content-length';
}

/** Split a comma-separated field value into trimmed, non-empty items. */
export function splitList(value: string | undefined): string[] {
  if (value === undefined) return [];
  const out: string[] = [];
  for (const part of value.split(',')) {
    const t = part.trim();
    if (t) out.push(t);
  }
  return out;
}
