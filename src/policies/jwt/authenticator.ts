/**
 * The request-time half of jwtAuth: extract → (cache | verify) → mode decision.
 *
 * | situation                   | strict | optional (default) | permissive      |
 * |-----------------------------|--------|--------------------|-----------------|
 * | no bearer token             | 401    | no identity        | no identity     |
 * | token present but invalid   | 401    | 401                | no identity     |
 * | valid token                 | identity (the pipeline then strips the header) |
 */
import { LRUCache } from 'lru-cache';
import { toCelClaims } from '../../cel/values.js';
import type { AccessLogFields, Identity } from '../../contracts/request-context.js';
import type { IncomingHttpHeaders } from 'node:http';
import type { AuthnRequest, CompiledAuthenticator } from '../types.js';
import type { AuthnLogger } from './deps.js';
import { asAuthnRequest, extractBearer } from './extract.js';
import type { Extractor } from './extract.js';
import type { VerificationKey } from './keys.js';
import { AuthnError, REASON } from './reasons.js';
import { verifyToken, type Provider } from './verify.js';

/** Long-lived tokens are re-verified at least this often (a cheap bound; exp is checked on every hit). */
const MAX_CACHE_TTL_MS = 3_600_000;

export type JwtMode = 'strict' | 'optional' | 'permissive';

export interface AuthenticatorSpec {
  readonly mode: JwtMode;
  readonly providers: readonly Provider[];
  readonly clockSkewMs: number;
  readonly logger: AuthnLogger;
  readonly now: () => number;
  readonly cacheMax: number;
  /** Where the token is read (default: Authorization: Bearer). */
  readonly extract?: Extractor;
}

interface CacheEntry {
  readonly identity: Identity;
  readonly provider: Provider;
  readonly key: VerificationKey;
  /** exp + skew, ms: the token is refused from this instant on. */
  readonly expiresAtMs: number;
}

export function createAuthenticator(spec: AuthenticatorSpec): CompiledAuthenticator {
  const { mode, providers, clockSkewMs, logger, now } = spec;
  const extract = spec.extract ?? extractBearer;
  // Created on the first verified token: lru-cache allocates its `max` slots up front, and a config
  // build makes one authenticator per jwtAuth policy (100 routes, 100 of them, on every reload).
  let lru: LRUCache<string, CacheEntry> | undefined;
  const cache = (): LRUCache<string, CacheEntry> =>
    (lru ??= new LRUCache<string, CacheEntry>({ max: spec.cacheMax }));

  /** A cached success stays valid only while unexpired and while its key is still published. */
  const fromCache = (token: string, nowMs: number): Identity | string | undefined => {
    const hit = lru?.get(token);
    if (!hit) return undefined;
    if (nowMs >= hit.expiresAtMs) {
      lru?.delete(token);
      return REASON.expired;
    }
    if (!hit.provider.source.current().keys.includes(hit.key)) {
      lru?.delete(token);
      return undefined;
    }
    return hit.identity;
  };

  const verify = async (token: string): Promise<Identity | string> => {
    const nowMs = now();
    const cached = fromCache(token, nowMs);
    if (cached !== undefined) return cached;
    // Every provider's remote JWKS is still unreachable since start-up: say so rather than "no key".
    const down = providers.map((p) => p.source.unavailable?.()).filter((r) => r !== undefined);
    if (down.length === providers.length && down.length > 0) {
      void Promise.all(providers.map((p) => p.source.refreshForUnknownKid()));
      return down[0]!;
    }
    const v = await verifyToken(token, providers, nowMs, clockSkewMs);
    if (!v.ok) return v.reason;
    const missing = v.provider.requiredClaims?.find((c) => v.claims[c] === undefined);
    if (missing !== undefined) return `missing required claim: ${missing}`;
    const identity = makeIdentity(v.claims, v.provider.issuer, token);
    const expiresAtMs = v.exp * 1000 + clockSkewMs;
    cache().set(
      token,
      { identity, provider: v.provider, key: v.key, expiresAtMs },
      // The entry also leaves the LRU on its own; exp is re-checked on every hit regardless.
      { ttl: Math.max(1, Math.min(MAX_CACHE_TTL_MS, Math.ceil(expiresAtMs - nowMs))) },
    );
    return identity;
  };

  const refuse = (reason: string, tokenPresent: boolean, log: AccessLogFields | undefined): null => {
    if (log) log['authn.reason'] = reason;
    if (mode === 'permissive' && tokenPresent) {
      logger.info({ reason, mode }, 'jwt invalid; permissive mode continues without identity');
      return null;
    }
    logger.info({ reason, mode }, 'jwt rejected');
    throw new AuthnError(reason, tokenPresent);
  };

  return {
    authenticate: async function jwtAuthenticate(
      req: AuthnRequest | IncomingHttpHeaders,
      log?: AccessLogFields,
    ): Promise<Identity | null> {
      const got = extract(asAuthnRequest(req));
      if (got.kind === 'none') return mode === 'strict' ? refuse(REASON.missing, false, log) : null;
      if (got.kind === 'multiple') return refuse(REASON.multiple, true, log);
      const result = await verify(got.token);
      if (typeof result === 'string') return refuse(result, true, log);
      if (log && result.sub !== undefined) log['jwt.sub'] = result.sub;
      return result;
    },
    close: function jwtClose() {
      for (const p of providers) p.source.close();
      lru?.clear();
    },
  };
}

function makeIdentity(claims: Record<string, unknown>, issuer: string, rawToken: string): Identity {
  return Object.freeze({
    claims: deepFreeze(claims),
    celClaims: deepFreeze(toCelClaims(claims)),
    sub: typeof claims.sub === 'string' ? claims.sub : undefined,
    issuer,
    rawToken,
  });
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
