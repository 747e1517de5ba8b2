/**
 * Generates the quickstart's DEMO key pair and tokens (manifests/jwt/). Not for production: the private
 * key is committed on purpose so that anyone can mint test tokens.
 *
 *   npx tsx scripts/gen-demo-jwt.ts [outDir]   # default manifests/jwt
 *
 * Writes `pub-key` (JWKS, ES256, kid = RFC 7638 thumbprint), `priv-key` (PKCS#8 PEM), `example1.key`
 * (test-user with field1/nested/list claims) and `example2.key` (test-user, no extra claims).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  calculateJwkThumbprint,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
} from 'jose';

const ISSUER = 'agentgateway.dev';
const AUDIENCE = 'test.agentgateway.dev';
const SUBJECT = 'test-user';
const TEN_YEARS_S = 10 * 365 * 24 * 3600;

async function sign(privateKey: CryptoKey, kid: string, extra: Record<string, unknown>): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(extra)
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(SUBJECT)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + TEN_YEARS_S)
    .sign(privateKey);
}

async function main(): Promise<void> {
  const outDir = resolve(process.argv[2] ?? 'manifests/jwt');
  mkdirSync(outDir, { recursive: true });
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  const jwks = { keys: [{ use: 'sig', kty: jwk.kty, kid, crv: jwk.crv, alg: 'ES256', x: jwk.x, y: jwk.y }] };

  writeFileSync(join(outDir, 'pub-key'), JSON.stringify(jwks, null, 2) + '\n');
  writeFileSync(join(outDir, 'priv-key'), await exportPKCS8(privateKey));
  const claims1 = { field1: 'value1', nested: { key: 'value' }, list: ['apple', 'banana'] };
  writeFileSync(join(outDir, 'example1.key'), await sign(privateKey, kid, claims1));
  writeFileSync(join(outDir, 'example2.key'), await sign(privateKey, kid, {}));
  console.log(`wrote pub-key, priv-key, example1.key, example2.key to ${outDir} (kid ${kid})`);
}

await main();
