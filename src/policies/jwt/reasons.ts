/**
 * Why a token was refused, and the 401 that says so. The reason is the whole client-visible story: it is
 * the plain-text body, the `error_description` of the challenge and the logged `authn.reason`.
 */
import { GatewayError } from '../../errors/registry.js';

export const REASON = {
  missing: 'authorization header missing',
  multiple: 'multiple authorization headers',
  malformed: 'malformed token',
  algorithm: 'algorithm not allowed',
  unknownKid: 'unknown key id',
  signature: 'signature invalid',
  missingExp: 'missing exp claim',
  expired: 'token expired',
  notYetValid: 'token not yet valid',
  audience: 'audience mismatch',
} as const;

/** `issuer mismatch: got X` — X comes from the token, so it is cleaned before it reaches a header or a log. */
export function issuerMismatch(got: unknown): string {
  return `issuer mismatch: got ${typeof got === 'string' ? headerSafe(got, 64) : 'nothing'}`;
}

/**
 * RFC 6750 §3: `error_description` holds %x20-21 / %x23-5B / %x5D-7E only (no quote, no backslash, no
 * control characters). Anything else becomes `?`, and the text is cut at `max` characters.
 */
export function headerSafe(text: string, max = 200): string {
  const cut = text.length > max ? text.slice(0, max) + '...' : text;
  return cut.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '?');
}

export const REALM = 'portcullis';

/** A refused authentication: GatewayError AUTHN_FAILED (401) with the RFC 6750 challenge. */
export class AuthnError extends GatewayError {
  /** The short reason (also the message). */
  readonly reason: string;
  /** False when no bearer token was presented at all (the challenge then has no `error` attribute). */
  readonly tokenPresent: boolean;
  constructor(reason: string, tokenPresent: boolean) {
    const safe = headerSafe(reason);
    const challenge = tokenPresent
      ? `Bearer realm="${REALM}", error="invalid_token", error_description="${safe}"`
      : `Bearer realm="${REALM}"`;
    super('AUTHN_FAILED', safe, { headers: { 'www-authenticate': challenge } });
    this.name = 'AuthnError';
    this.reason = safe;
    this.tokenPresent = tokenPresent;
  }
}
