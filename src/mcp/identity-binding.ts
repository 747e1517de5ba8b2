import { GatewayError } from '../errors/registry.js';
import type { Identity } from '../server/context.js';

/**
 * A session belongs to the identity that created it (issuer + sub). A session created without an identity
 * accepts only requests without one, so a token can never be attached to someone else's session later.
 */
export interface IdentityBinding {
  readonly sub: string | undefined;
  readonly issuer: string | undefined;
  readonly anonymous: boolean;
}

export function bindIdentity(identity: Identity | null): IdentityBinding {
  return identity
    ? { sub: identity.sub, issuer: identity.issuer, anonymous: false }
    : { sub: undefined, issuer: undefined, anonymous: true };
}

export function checkBinding(binding: IdentityBinding, identity: Identity | null): void {
  const same = identity
    ? !binding.anonymous && binding.sub === identity.sub && binding.issuer === identity.issuer
    : binding.anonymous;
  if (!same) throw new GatewayError('SESSION_IDENTITY_MISMATCH');
}
