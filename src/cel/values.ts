/**
 * JSON → CEL values. CEL distinguishes int from double; JSON does not. Integer-valued numbers become
 * `bigint` (CEL int) so `jwt.exp + 60 > now` type-checks; other numbers stay doubles. Done once per
 * token (jwtAuth caches the converted claims on the Identity), never per rule.
 */
export function toCelValue(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCelValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toCelValue(v);
    return out;
  }
  return value;
}

export function toCelClaims(claims: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return toCelValue(claims) as Record<string, unknown>;
}
