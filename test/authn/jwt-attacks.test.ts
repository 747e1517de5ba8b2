/**
 * The attack table: every token here must be refused with 401, the exact reason as the body,
 * the RFC 6750 challenge, the reason in the access-log fields and the logger — and never the token.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { compileJwtAuth } from '../../src/policies/jwt/index.js';
import { AuthnError } from '../../src/policies/jwt/reasons.js';
import type { CompiledAuthenticator } from '../../src/policies/types.js';
import type { AccessLogFields } from '../../src/contracts/request-context.js';
import {
  AT,
  AUDIENCE,
  bearer,
  buildContext,
  ISSUER,
  jwksText,
  makeKey,
  memoryLogger,
  nowSec,
  request,
  signToken,
  startServer,
  type TestKey,
  type TestServer,
} from './helpers.js';

const b64 = (v: unknown): string =>
  Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

interface Attack {
  readonly name: string;
  readonly req: () => Promise<ReturnType<typeof request>>;
  readonly reason: string;
  /** False for the "no token at all" rows (challenge without error attribute). */
  readonly tokenPresent?: boolean;
}

describe('attack table (strict mode)', () => {
  let key: TestKey;
  let other: TestKey;
  let rsa: TestKey;
  let auth: CompiledAuthenticator;
  let jku: TestServer;
  let jkuHits = 0;
  const logger = memoryLogger();

  before(async () => {
    key = await makeKey('ES256', 'main-key', { withAlg: true });
    other = await makeKey('ES256', 'main-key'); // same kid, different key
    rsa = await makeKey('RS256', 'rsa-key');
    jku = await startServer((_req, res) => {
      jkuHits++;
      res.end(jwksText(other));
    });
    auth = await compileJwtAuth(
      { mode: 'strict', issuer: ISSUER, audiences: [AUDIENCE], jwks: jwksText(key, rsa) },
      buildContext(),
      AT,
      { logger },
    );
  });
  after(async () => {
    auth.close();
    await jku.close();
  });

  const good = (opts?: Parameters<typeof signToken>[1]) => signToken(key, opts);
  const tok = async (t: string | Promise<string>) => bearer(await t);

  const attacks: Attack[] = [
    {
      name: 'alg none, empty signature',
      req: () => tok(`${b64({ alg: 'none', kid: 'main-key' })}.${b64({ iss: ISSUER, exp: nowSec() + 60 })}.`),
      reason: 'algorithm not allowed',
    },
    {
      name: 'alg "None" with a copied signature',
      req: async () => {
        const [, p, s] = (await good()).split('.');
        return tok(`${b64({ alg: 'None', kid: 'main-key' })}.${p}.${s}`);
      },
      reason: 'algorithm not allowed',
    },
    {
      name: 'HS256 signed with the public JWKS bytes as the secret',
      req: async () => {
        const secret = new TextEncoder().encode(jwksText(key));
        const t = await new SignJWT({ iss: ISSUER, aud: AUDIENCE, exp: nowSec() + 60 })
          .setProtectedHeader({ alg: 'HS256', kid: 'main-key' })
          .sign(secret);
        return tok(t);
      },
      reason: 'algorithm not allowed',
    },
    {
      name: 'HS512 signed with the x coordinate, no kid',
      req: async () => {
        const secret = Buffer.from(String(key.jwk.x), 'base64url');
        const t = await new SignJWT({ iss: ISSUER, aud: AUDIENCE, exp: nowSec() + 60 })
          .setProtectedHeader({ alg: 'HS512' })
          .sign(secret);
        return tok(t);
      },
      reason: 'algorithm not allowed',
    },
    {
      name: 'RS256 against a key pinned to ES256 (algorithm confusion)',
      req: async () => tok(signToken({ ...rsa, kid: 'main-key' })),
      reason: 'algorithm not allowed',
    },
    {
      name: 'unsupported algorithm ES256K',
      req: async () => {
        const [, p, s] = (await good()).split('.');
        return tok(`${b64({ alg: 'ES256K', kid: 'main-key' })}.${p}.${s}`);
      },
      reason: 'algorithm not allowed',
    },
    {
      name: 'expired (beyond the 60 s skew)',
      req: () => tok(good({ claims: { exp: nowSec() - 120 } })),
      reason: 'token expired',
    },
    {
      name: 'nbf in the future',
      req: () => tok(good({ claims: { nbf: nowSec() + 600 } })),
      reason: 'token not yet valid',
    },
    {
      name: 'iat in the future',
      req: () => tok(good({ claims: { iat: nowSec() + 600 } })),
      reason: 'token not yet valid',
    },
    {
      name: 'wrong issuer',
      req: () => tok(good({ claims: { iss: 'https://evil.example' } })),
      reason: 'issuer mismatch: got https://evil.example',
    },
    {
      name: 'issuer with quotes and a newline (cleaned before it reaches a header)',
      req: () => tok(good({ claims: { iss: 'evil"\r\nx-injected: 1' } })),
      reason: 'issuer mismatch: got evil???x-injected: 1',
    },
    {
      name: 'no issuer',
      req: () => tok(good({ claims: { iss: undefined } })),
      reason: 'issuer mismatch: got nothing',
    },
    {
      name: 'wrong audience',
      req: () => tok(good({ claims: { aud: 'someone-else' } })),
      reason: 'audience mismatch',
    },
    {
      name: 'audience array without ours',
      req: () => tok(good({ claims: { aud: ['a', 'b'] } })),
      reason: 'audience mismatch',
    },
    {
      name: 'no audience',
      req: () => tok(good({ claims: { aud: undefined } })),
      reason: 'audience mismatch',
    },
    {
      name: 'missing exp',
      req: () => tok(good({ claims: { exp: undefined } })),
      reason: 'missing exp claim',
    },
    {
      name: 'exp as a string',
      req: () => tok(good({ claims: { exp: String(nowSec() + 60) } })),
      reason: 'malformed token',
    },
    { name: 'unknown kid', req: () => tok(good({ header: { kid: 'nobody' } })), reason: 'unknown key id' },
    {
      name: 'kid with path characters',
      req: () => tok(good({ header: { kid: '../../etc/passwd' } })),
      reason: 'unknown key id',
    },
    { name: 'kid that is a number', req: () => tok(good({ header: { kid: 7 } })), reason: 'malformed token' },
    {
      name: 'tampered payload (sub changed)',
      req: async () => {
        const [h, , s] = (await good()).split('.');
        const p = b64({ iss: ISSUER, aud: AUDIENCE, sub: 'admin', exp: nowSec() + 3600 });
        return tok(`${h}.${p}.${s}`);
      },
      reason: 'signature invalid',
    },
    {
      name: 'signed by another key with the same kid',
      req: () => tok(signToken(other)),
      reason: 'signature invalid',
    },
    {
      name: 'embedded jwk header naming the attacker key',
      req: () => tok(signToken(other, { header: { jwk: other.jwk } })),
      reason: 'signature invalid',
    },
    {
      name: 'jku header pointing at an attacker JWKS (never fetched)',
      req: () => tok(signToken(other, { header: { jku: jku.url } })),
      reason: 'signature invalid',
    },
    {
      name: 'truncated signature',
      req: async () => tok((await good()).slice(0, -10)),
      reason: 'signature invalid',
    },
    {
      name: 'only two segments',
      req: async () => tok((await good()).split('.').slice(0, 2).join('.')),
      reason: 'malformed token',
    },
    {
      name: 'three dots (four segments)',
      req: async () => tok(`${await good()}.AAAA`),
      reason: 'malformed token',
    },
    {
      name: 'non-base64url characters (+ / =)',
      req: async () => tok((await good()).replace(/-/g, '+').replace(/_/g, '/') + '=='),
      reason: 'malformed token',
    },
    {
      name: 'non-JSON header',
      req: async () => tok(`${b64('not json')}.${(await good()).split('.').slice(1).join('.')}`),
      reason: 'malformed token',
    },
    {
      name: 'header that is a JSON array',
      req: async () => tok(`${b64(['ES256'])}.${(await good()).split('.').slice(1).join('.')}`),
      reason: 'malformed token',
    },
    {
      name: 'validly signed payload that is not JSON',
      req: async () => {
        const { CompactSign } = await import('jose');
        const t = await new CompactSign(new TextEncoder().encode('hello'))
          .setProtectedHeader({ alg: 'ES256', kid: 'main-key' })
          .sign(key.privateKey);
        return tok(t);
      },
      reason: 'malformed token',
    },
    {
      name: '64 KiB token',
      req: async () => tok(`${'a'.repeat(32 * 1024)}.${'b'.repeat(32 * 1024)}.c`),
      reason: 'malformed token',
    },
    {
      name: 'validly signed 17 KiB token (size checked before parsing)',
      req: () => tok(good({ claims: { pad: 'x'.repeat(17 * 1024) } })),
      reason: 'malformed token',
    },
    {
      name: 'token with an inner space',
      req: async () => tok((await good()).replace('.', ' .')),
      reason: 'malformed token',
    },
    {
      name: 'empty bearer',
      req: async () => request('Bearer '),
      reason: 'authorization header missing',
      tokenPresent: false,
    },
    {
      name: 'Basic scheme',
      req: async () => request('Basic dXNlcjpwYXNz'),
      reason: 'authorization header missing',
      tokenPresent: false,
    },
    {
      name: 'no Authorization header',
      req: async () => request(),
      reason: 'authorization header missing',
      tokenPresent: false,
    },
    {
      name: 'duplicated Authorization header (a good token twice)',
      req: async () => {
        const t = await good();
        return request(`Bearer ${t}`, `Bearer ${t}`);
      },
      reason: 'multiple authorization headers',
    },
    {
      name: 'duplicated header: a good token and a bad one',
      req: async () => request(`Bearer ${await good()}`, 'Bearer x.y.z'),
      reason: 'multiple authorization headers',
    },
  ];

  it('has at least 20 rows', () => assert.ok(attacks.length >= 20, String(attacks.length)));

  for (const a of attacks) {
    it(a.name, async () => {
      const req = await a.req();
      const log: AccessLogFields = {};
      const before = logger.lines.length;
      await assert.rejects(auth.authenticate(req, log), (e: unknown) => {
        assert.ok(e instanceof AuthnError, String(e));
        assert.equal(e.status, 401);
        assert.equal(e.code, 'AUTHN_FAILED');
        assert.equal(e.message, a.reason);
        const www = e.headers['www-authenticate'];
        if (a.tokenPresent === false) assert.equal(www, 'Bearer realm="portcullis"');
        else {
          assert.equal(
            www,
            `Bearer realm="portcullis", error="invalid_token", error_description="${a.reason}"`,
          );
        }
        assert.doesNotMatch(www!, /[\r\n]/);
        return true;
      });
      assert.equal(log['authn.reason'], a.reason);
      const logged = logger.lines.slice(before);
      assert.equal(logged.length, 1);
      assert.equal(logged[0]!.fields.reason, a.reason);
      const token = req.headers.authorization?.slice(7);
      if (token && token.length > 8)
        assert.ok(!JSON.stringify(logged).includes(token), 'the token was logged');
    });
  }

  it('a valid token still passes after all that (and the attacker JWKS was never fetched)', async () => {
    assert.equal((await auth.authenticate(bearer(await good())))?.sub, 'alice');
    assert.equal(jkuHits, 0);
  });
});
