/**
 * One token → verified claims or the reason it was refused. The order
 * is fixed: size → shape → algorithm → key → signature → claims. Nothing in the token is trusted before
 * the signature check except `alg` and `kid`, which only select among keys loaded at config time
 * (`jku`, `x5u`, embedded `jwk` are ignored: keys never come from the token).
 */
import { compactVerify } from 'jose';
import type { KeySource } from './key-source.js';
import { isSupportedAlg, type JwsAlg, type VerificationKey } from './keys.js';
import { REASON, issuerMismatch } from './reasons.js';

/** Tokens longer than this are refused before any parsing. */
export const MAX_TOKEN_CHARS = 16 * 1024;
const SEGMENT = /^[A-Za-z0-9_-]+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface Provider {
  readonly issuer: string;
  /** Empty: no audience check. */
  readonly audiences: readonly string[];
  readonly source: KeySource;
  /** `jwtValidationOptions.requiredClaims`: present in every accepted token. */
  readonly requiredClaims?: readonly string[];
}

export type Verified =
  | {
      readonly ok: true;
      readonly claims: Record<string, unknown>;
      readonly provider: Provider;
      readonly key: VerificationKey;
      /** The `exp` claim, seconds. */
      readonly exp: number;
    }
  | { readonly ok: false; readonly reason: string };

const refuse = (reason: string): Verified => ({ ok: false, reason });

interface Header {
  readonly alg: JwsAlg;
  readonly kid: string | undefined;
}

/** Size, three base64url segments, a JSON-object header with a supported `alg`. */
export function parseHeader(token: string): Header | string {
  if (token.length > MAX_TOKEN_CHARS) return REASON.malformed;
  const parts = token.split('.');
  // An empty signature is left to the algorithm check below (`alg: none` tokens end in a dot).
  if (parts.length !== 3 || !SEGMENT.test(parts[0]!) || !SEGMENT.test(parts[1]!)) return REASON.malformed;
  if (parts[2] !== '' && !SEGMENT.test(parts[2]!)) return REASON.malformed;
  const header = decodeJsonObject(parts[0]!);
  if (!header) return REASON.malformed;
  const { alg, kid } = header;
  if (typeof alg !== 'string') return REASON.malformed;
  if (kid !== undefined && typeof kid !== 'string') return REASON.malformed;
  // `none`, HS256/384/512 and anything unknown: never, whatever the keys say.
  if (!isSupportedAlg(alg)) return REASON.algorithm;
  return { alg, kid };
}

function decodeJsonObject(segment: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(utf8.decode(Buffer.from(segment, 'base64url')));
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

interface Match {
  readonly provider: Provider;
  readonly key: VerificationKey;
}

function byKid(providers: readonly Provider[], kid: string): Match | undefined {
  for (const provider of providers) {
    const key = provider.source.current().byKid.get(kid);
    if (key) return { provider, key };
  }
  return undefined;
}

/** Find the key: by kid across providers (first match, one refetch for remote sets), else the only fitting key. */
async function resolveKey(providers: readonly Provider[], h: Header): Promise<Match | string> {
  if (h.kid !== undefined) {
    let hit = byKid(providers, h.kid);
    if (!hit) {
      const refreshed = await Promise.all(providers.map((p) => p.source.refreshForUnknownKid()));
      if (refreshed.some(Boolean)) hit = byKid(providers, h.kid);
    }
    return hit ?? REASON.unknownKid;
  }
  const fitting: Match[] = [];
  for (const provider of providers) {
    for (const key of provider.source.current().keys)
      if (key.byAlg.has(h.alg)) fitting.push({ provider, key });
  }
  if (fitting.length === 1) return fitting[0]!;
  return fitting.length === 0 ? REASON.algorithm : REASON.unknownKid;
}

/** Claims checks after a good signature. Times in seconds; `skew` applies to exp, nbf and iat. */
export function checkClaims(
  claims: Record<string, unknown>,
  provider: Pick<Provider, 'issuer' | 'audiences'>,
  nowSec: number,
  skewSec: number,
): string | undefined {
  const { exp, nbf, iat, iss, aud } = claims;
  if (exp === undefined) return REASON.missingExp;
  if (!isTime(exp) || (nbf !== undefined && !isTime(nbf)) || (iat !== undefined && !isTime(iat))) {
    return REASON.malformed;
  }
  if (nowSec >= exp + skewSec) return REASON.expired;
  if (nbf !== undefined && nbf > nowSec + skewSec) return REASON.notYetValid;
  if (iat !== undefined && iat > nowSec + skewSec) return REASON.notYetValid;
  if (iss !== provider.issuer) return issuerMismatch(iss);
  if (provider.audiences.length > 0) {
    const got = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
    if (!got.some((a) => typeof a === 'string' && provider.audiences.includes(a))) return REASON.audience;
  }
  return undefined;
}

function isTime(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

export async function verifyToken(
  token: string,
  providers: readonly Provider[],
  nowMs: number,
  skewMs: number,
): Promise<Verified> {
  const header = parseHeader(token);
  if (typeof header === 'string') return refuse(header);
  const match = await resolveKey(providers, header);
  if (typeof match === 'string') return refuse(match);
  const cryptoKey = match.key.byAlg.get(header.alg);
  if (!cryptoKey) return refuse(REASON.algorithm);

  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(token, cryptoKey, { algorithms: [header.alg] }));
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return refuse(code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' ? REASON.signature : REASON.malformed);
  }
  let claims: unknown;
  try {
    claims = JSON.parse(utf8.decode(payload));
  } catch {
    return refuse(REASON.malformed);
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return refuse(REASON.malformed);
  const c = claims as Record<string, unknown>;
  const bad = checkClaims(c, match.provider, nowMs / 1000, skewMs / 1000);
  if (bad) return refuse(bad);
  return { ok: true, claims: c, provider: match.provider, key: match.key, exp: c.exp as number };
}
