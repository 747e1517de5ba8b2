/**
 * JWKS → imported verification keys. Runs at config load and on remote refresh, never
 * per request. Each key is imported once per algorithm it allows (WebCrypto binds a key to one
 * algorithm), so a request only looks a key up.
 *
 * A key set is immutable once imported, so the same JWKS text yields the same KeySet: a config whose 100
 * routes name one JWKS file imports it once, and a reload imports only a JWKS whose text changed.
 */
import { createHash } from 'node:crypto';
import { importJWK, type CryptoKey } from 'jose';
import { headerSafe } from './reasons.js';

export const SUPPORTED_ALGS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;
export type JwsAlg = (typeof SUPPORTED_ALGS)[number];

export function isSupportedAlg(alg: unknown): alg is JwsAlg {
  return typeof alg === 'string' && (SUPPORTED_ALGS as readonly string[]).includes(alg);
}

const RSA_ALGS: readonly JwsAlg[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
const EC_ALG_BY_CURVE: Readonly<Record<string, JwsAlg>> = {
  'P-256': 'ES256',
  'P-384': 'ES384',
  'P-521': 'ES512',
};
const MIN_RSA_BYTES = 256; // 2048-bit modulus

export interface VerificationKey {
  readonly kid: string | undefined;
  readonly kty: 'RSA' | 'EC' | 'OKP';
  /** Every algorithm this key may verify, with the key imported for it. */
  readonly byAlg: ReadonlyMap<JwsAlg, CryptoKey>;
}

export interface KeySet {
  readonly keys: readonly VerificationKey[];
  readonly byKid: ReadonlyMap<string, VerificationKey>;
}

/** A JWKS that cannot be used. The message names the key (`keys[1] (kid "abc")`) and what is wrong. */
export class KeySetError extends Error {
  override readonly name = 'KeySetError';
  /** The text is not a JWKS at all (not JSON, or no "keys" array): say so without quoting it. */
  readonly notJwks: boolean;
  constructor(message: string, notJwks = false) {
    super(message);
    this.notJwks = notJwks;
  }
}

/** Imported sets by the SHA-256 of their JWKS text, least recently used first. */
const importedSets = new Map<string, Promise<KeySet>>();
/** Distinct JWKS texts kept (a config names a handful; a remote JWKS rotates now and then). */
const MAX_IMPORTED_SETS = 64;

/**
 * Parse and import a JWKS document given as text (file contents, inline string, HTTP body). The same
 * text gives the same (shared, immutable) KeySet; a text that fails is not remembered.
 */
export function importKeySetText(text: string): Promise<KeySet> {
  const digest = createHash('sha256').update(text).digest('base64url');
  const hit = importedSets.get(digest);
  if (hit !== undefined) {
    importedSets.delete(digest);
    importedSets.set(digest, hit);
    return hit;
  }
  const pending = importKeySetTextOnce(text);
  importedSets.set(digest, pending);
  if (importedSets.size > MAX_IMPORTED_SETS) importedSets.delete(importedSets.keys().next().value as string);
  pending.catch(() => {
    if (importedSets.get(digest) === pending) importedSets.delete(digest);
  });
  return pending;
}

async function importKeySetTextOnce(text: string): Promise<KeySet> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes the text, which may be any file the config names.
    throw new KeySetError('JWKS is not valid JSON', true);
  }
  return importKeySet(doc);
}

export async function importKeySet(doc: unknown): Promise<KeySet> {
  if (!isObject(doc) || !Array.isArray(doc.keys)) {
    throw new KeySetError('JWKS must be a JSON object with a "keys" array', true);
  }
  if (doc.keys.length === 0) throw new KeySetError('JWKS has no keys');
  const keys: VerificationKey[] = [];
  const byKid = new Map<string, VerificationKey>();
  for (const [i, jwk] of (doc.keys as unknown[]).entries()) {
    const key = await importOne(jwk, i);
    if (key.kid !== undefined) {
      if (byKid.has(key.kid)) throw new KeySetError(`${label(jwk, i)}: duplicate kid`);
      byKid.set(key.kid, key);
    }
    keys.push(key);
  }
  return { keys, byKid };
}

function label(jwk: unknown, i: number): string {
  const kid = isObject(jwk) && typeof jwk.kid === 'string' ? ` (kid "${headerSafe(jwk.kid, 80)}")` : '';
  return `keys[${i}]${kid}`;
}

async function importOne(jwk: unknown, i: number): Promise<VerificationKey> {
  const where = label(jwk, i);
  const fail = (msg: string): never => {
    throw new KeySetError(`${where}: ${msg}`);
  };
  if (!isObject(jwk)) return fail('not a JSON object');
  if (jwk.kid !== undefined && (typeof jwk.kid !== 'string' || jwk.kid === ''))
    fail('kid must be a non-empty string');
  if (jwk.use !== undefined && jwk.use !== 'sig') fail(`"use" is ${JSON.stringify(jwk.use)}, expected "sig"`);
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) {
    fail('"key_ops" does not include "verify"');
  }
  if (jwk.d !== undefined) fail('contains private key material ("d"); publish only the public key');

  let allowed: readonly JwsAlg[];
  let pub: Record<string, unknown>;
  const kty = jwk.kty;
  switch (kty) {
    case 'oct':
      return fail('symmetric keys (kty "oct") are not allowed: HMAC algorithms are always refused');
    case 'RSA': {
      if (typeof jwk.n !== 'string' || typeof jwk.e !== 'string') return fail('RSA key needs "n" and "e"');
      if (modulusBytes(jwk.n) < MIN_RSA_BYTES) fail('RSA modulus is shorter than 2048 bits');
      allowed = RSA_ALGS;
      pub = { kty, n: jwk.n, e: jwk.e };
      break;
    }
    case 'EC': {
      const alg = typeof jwk.crv === 'string' ? EC_ALG_BY_CURVE[jwk.crv] : undefined;
      if (!alg) return fail(`unsupported EC curve ${JSON.stringify(jwk.crv)} (P-256, P-384, P-521)`);
      if (typeof jwk.x !== 'string' || typeof jwk.y !== 'string') return fail('EC key needs "x" and "y"');
      allowed = [alg];
      pub = { kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
      break;
    }
    case 'OKP': {
      if (jwk.crv !== 'Ed25519') return fail(`unsupported OKP curve ${JSON.stringify(jwk.crv)} (Ed25519)`);
      if (typeof jwk.x !== 'string') return fail('OKP key needs "x"');
      allowed = ['EdDSA'];
      pub = { kty, crv: jwk.crv, x: jwk.x };
      break;
    }
    default:
      return fail(`unsupported key type ${JSON.stringify(kty)} (RSA, EC, OKP)`);
  }

  if (jwk.alg !== undefined) {
    if (typeof jwk.alg === 'string' && /^(HS|none$)/i.test(jwk.alg))
      fail(`algorithm "${jwk.alg}" is not allowed`);
    if (!isSupportedAlg(jwk.alg)) return fail(`unsupported algorithm ${JSON.stringify(jwk.alg)}`);
    if (!allowed.includes(jwk.alg)) fail(`algorithm "${jwk.alg}" does not fit a ${kty} key`);
    allowed = [jwk.alg];
  }

  const byAlg = new Map<JwsAlg, CryptoKey>();
  for (const alg of allowed) {
    try {
      const imported = await importJWK({ ...pub, alg }, alg);
      if (imported instanceof Uint8Array) fail('not an asymmetric key');
      byAlg.set(alg, imported as CryptoKey);
    } catch (e) {
      if (e instanceof KeySetError) throw e;
      fail(`cannot import the key: ${(e as Error).message}`);
    }
  }
  return { kid: jwk.kid as string | undefined, kty, byAlg };
}

function modulusBytes(n: string): number {
  const bytes = Buffer.from(n, 'base64url');
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  return bytes.length - i;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
