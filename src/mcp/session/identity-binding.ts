import { createHash } from 'node:crypto';
import { GatewayError } from '../../errors/registry.js';
import type { Identity } from '../../contracts/request-context.js';

/**
 * A session belongs to the whole verified identity that created it: issuer + subject, or — when `sub` is
 * absent or not a string — issuer + a SHA-256 digest of the verified claims (so two principals without a
 * string `sub` never share a session). The claims that change with every token of the same principal
 * (`exp`, `iat`, `nbf`, `jti`) are left out of the digest, so a refreshed token keeps its session.
 * A session created without an identity accepts only requests without one, so a token can never be
 * attached to someone else's session later.
 */
export interface IdentityBinding {
  readonly sub: string | undefined;
  readonly issuer: string | undefined;
  /** `iss \0 sub` or `iss \0 sha256:<hex>`; undefined for anonymous sessions. */
  readonly key: string | undefined;
  readonly anonymous: boolean;
}

/** Claims that differ between two tokens of the same principal. */
const PER_TOKEN_CLAIMS = new Set(['exp', 'iat', 'nbf', 'jti']);

/** The one definition of "the same caller" for authenticated requests (session binding, per-identity limits). */
export function identityKey(identity: Identity): string {
  const sub = identity.claims.sub;
  if (typeof sub === 'string') return `${identity.issuer}\0sub:${sub}`;
  return `${identity.issuer}\0sha256:${claimsDigest(identity.claims)}`;
}

/** The key limits count a caller under: its identity, or its source address when anonymous. */
export function callerKey(identity: Identity | null, sourceAddress: string): string {
  return identity ? `id:${identityKey(identity)}` : `addr:${sourceAddress}`;
}

export function bindIdentity(identity: Identity | null): IdentityBinding {
  return identity
    ? { sub: identity.sub, issuer: identity.issuer, key: identityKey(identity), anonymous: false }
    : { sub: undefined, issuer: undefined, key: undefined, anonymous: true };
}

export function checkBinding(binding: IdentityBinding, identity: Identity | null): void {
  const same = identity ? !binding.anonymous && binding.key === identityKey(identity) : binding.anonymous;
  if (!same) throw new GatewayError('SESSION_IDENTITY_MISMATCH');
}

function claimsDigest(claims: Readonly<Record<string, unknown>>): string {
  const kept: Record<string, unknown> = {};
  for (const k of Object.keys(claims).sort()) if (!PER_TOKEN_CLAIMS.has(k)) kept[k] = claims[k];
  return createHash('sha256').update(canonical(kept)).digest('hex');
}

/** JSON with object keys sorted at every depth, so equal claim sets hash equally. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
