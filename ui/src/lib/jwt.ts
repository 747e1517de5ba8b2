/** JWT decoding for display only: no signature check (the gateway verifies; /api/explain says what it thinks). */

export interface DecodedJwt {
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
}

export type DecodeResult =
  { readonly ok: true; readonly jwt: DecodedJwt } | { readonly ok: false; readonly error: string };

export function decodeJwt(token: string): DecodeResult {
  const parts = token.trim().split('.');
  if (parts.length !== 3)
    return { ok: false, error: `not a JWT: expected 3 dot-separated parts, got ${parts.length}` };
  try {
    const header = parseJson(parts[0] ?? '');
    const claims = parseJson(parts[1] ?? '');
    return { ok: true, jwt: { header, claims } };
  } catch (e) {
    return { ok: false, error: `not a JWT: ${(e as Error).message}` };
  }
}

function parseJson(part: string): Record<string, unknown> {
  const value: unknown = JSON.parse(base64UrlDecode(part));
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('part is not a JSON object');
  return value as Record<string, unknown>;
}

export function base64UrlDecode(s: string): string {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
  const padded = b64 + '='.repeat((4 - (b64.length % 4)) % 4);
  const bin = atob(padded);
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

/** "expires in 59 min", "expired 2 days ago", or undefined without `exp`. */
export function describeExpiry(
  claims: Record<string, unknown>,
  nowMs: number,
): { text: string; expired: boolean } | undefined {
  const exp = claims['exp'];
  if (typeof exp !== 'number') return undefined;
  const delta = exp * 1000 - nowMs;
  const text = humanDuration(Math.abs(delta));
  return delta < 0
    ? { text: `expired ${text} ago`, expired: true }
    : { text: `expires in ${text}`, expired: false };
}

function humanDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 90) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m} min`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h`;
  const d = Math.round(h / 24);
  if (d < 730) return `${d} days`;
  return `${Math.round(d / 365)} years`;
}
