/** A locally generated signing key, its JWKS file and pre-signed tokens (the seed's claim shapes). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';

export const ISSUER = 'agentgateway.dev';
export const AUDIENCE = 'test.agentgateway.dev';

export interface BenchKey {
  readonly alg: 'ES256' | 'RS256';
  readonly kid: string;
  readonly privateKey: CryptoKey;
  /** Path of the written JWKS file (public key only). */
  readonly jwksFile: string;
}

export async function makeKey(dir: string, alg: 'ES256' | 'RS256' = 'ES256'): Promise<BenchKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `bench-${alg.toLowerCase()}`;
  const jwk = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg };
  const jwksFile = join(dir, `jwks-${alg.toLowerCase()}.json`);
  writeFileSync(jwksFile, JSON.stringify({ keys: [jwk] }));
  return { alg, kid, privateKey, jwksFile };
}

/** example1's claims: sub test-user and nested.key == "value", so all three seed rules can match. */
export async function signToken(key: BenchKey, extra: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'test-user',
    nested: { key: 'value' },
    iat: now,
    exp: now + 3600,
    ...extra,
  };
  return new SignJWT(claims as JWTPayload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .sign(key.privateKey);
}
