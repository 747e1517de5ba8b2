/**
 * jwtAuth key handling: the seed's own files, keys generated here (RSA, EC P-256/P-384/P-521, Ed25519),
 * per-key algorithm rules, kid-less tokens, several providers, and config errors for bad key sets.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { compileJwtAuth } from '../../src/policies/jwt/index.js';
import type { JwtAuthConfig } from '../../src/config/schema/policies.js';
import { AuthnError } from '../../src/policies/jwt/reasons.js';
import {
  AT,
  AUDIENCE,
  bearer,
  buildContext,
  ISSUER,
  jwksText,
  makeKey,
  signToken,
  type TestAlg,
  type TestKey,
} from './helpers.js';

async function compile(cfg: JwtAuthConfig) {
  return compileJwtAuth(cfg, buildContext(), AT);
}

async function reasonOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof AuthnError, `expected AuthnError, got ${String(e)}`);
    return e.message;
  }
  assert.fail('expected a rejection');
}

describe('the seed files (test/fixtures/seed-jwt)', () => {
  for (const dir of ['test/fixtures/seed-jwt', 'manifests/jwt']) {
    it(`${dir}: pub-key accepts example1.key and example2.key`, async (t) => {
      const auth = await compile({
        mode: 'strict',
        issuer: 'agentgateway.dev',
        audiences: ['test.agentgateway.dev'],
        jwks: { file: `${dir}/pub-key` },
      });
      t.after(() => auth.close());
      const ex1 = readFileSync(`${dir}/example1.key`, 'utf8').trim();
      // The seed's docs send the scheme in lower case.
      const id1 = await auth.authenticate({ headers: { authorization: `bearer ${ex1}` } });
      assert.equal(id1?.sub, 'test-user');
      assert.equal(id1?.issuer, 'agentgateway.dev');
      assert.deepEqual(id1?.claims.nested, { key: 'value' });
      assert.deepEqual(id1?.claims.list, ['apple', 'banana']);
      assert.equal(id1?.claims.field1, 'value1');
      assert.equal(typeof id1?.celClaims.exp, 'bigint', 'CEL sees integer claims as int');
      assert.equal(id1?.rawToken, ex1);

      const ex2 = readFileSync(`${dir}/example2.key`, 'utf8').trim();
      const id2 = await auth.authenticate(bearer(ex2));
      assert.equal(id2?.sub, 'test-user');
      assert.equal(id2?.claims.nested, undefined);
    });
  }

  it('the demo pub-key carries kid and alg ES256', () => {
    const doc = JSON.parse(readFileSync('manifests/jwt/pub-key', 'utf8')) as {
      keys: Record<string, unknown>[];
    };
    assert.equal(doc.keys.length, 1);
    assert.equal(doc.keys[0]!.alg, 'ES256');
    assert.equal(doc.keys[0]!.crv, 'P-256');
    assert.ok(typeof doc.keys[0]!.kid === 'string' && doc.keys[0]!.kid.length > 10);
  });
});

describe('keys generated in the test', () => {
  const algs: TestAlg[] = [
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
  ];
  for (const alg of algs) {
    it(`${alg}: a token signed by the key is accepted (JWK without alg)`, async (t) => {
      const key = await makeKey(alg, `k-${alg}`);
      const auth = await compile({ issuer: ISSUER, audiences: [AUDIENCE], jwks: jwksText(key) });
      t.after(() => auth.close());
      const id = await auth.authenticate(bearer(await signToken(key)));
      assert.equal(id?.sub, 'alice');
    });
  }

  it('an RSA key without alg verifies RS* and PS*; with alg only that one', async (t) => {
    const free = await makeKey('RS256', 'free');
    const pinned = await makeKey('RS256', 'pinned', { withAlg: true });
    const auth = await compile({ issuer: ISSUER, audiences: [AUDIENCE], jwks: jwksText(free, pinned) });
    t.after(() => auth.close());
    for (const alg of ['RS256', 'RS512', 'PS256', 'PS384']) {
      assert.equal((await auth.authenticate(bearer(await signToken(free, { alg }))))?.sub, 'alice', alg);
    }
    assert.equal((await auth.authenticate(bearer(await signToken(pinned))))?.sub, 'alice');
    assert.equal(
      await reasonOf(auth.authenticate(bearer(await signToken(pinned, { alg: 'PS256' })))),
      'algorithm not allowed',
    );
  });

  it('an EC P-256 key refuses ES384 (curve decides the algorithm)', async (t) => {
    const p256 = await makeKey('ES256', 'ec');
    const p384 = await makeKey('ES384', 'ec');
    const auth = await compile({ issuer: ISSUER, audiences: [AUDIENCE], jwks: jwksText(p256) });
    t.after(() => auth.close());
    // Signed by a P-384 key but naming the P-256 key's kid.
    assert.equal(await reasonOf(auth.authenticate(bearer(await signToken(p384)))), 'algorithm not allowed');
  });

  it('a token without kid is accepted only when exactly one key fits', async (t) => {
    const only = await makeKey('ES256', undefined);
    const a = await compile({ issuer: ISSUER, audiences: [AUDIENCE], jwks: jwksText(only) });
    t.after(() => a.close());
    assert.equal((await a.authenticate(bearer(await signToken(only))))?.sub, 'alice');

    const ec = await makeKey('ES256', 'ec');
    const ed = await makeKey('EdDSA', 'ed');
    const two = await compile({ issuer: ISSUER, audiences: [AUDIENCE], jwks: jwksText(ec, ed) });
    t.after(() => two.close());
    const noKid = (k: TestKey) => signToken({ ...k, kid: undefined });
    // ES256 fits only the EC key, EdDSA only the Ed25519 key.
    assert.equal((await two.authenticate(bearer(await noKid(ec))))?.sub, 'alice');
    assert.equal((await two.authenticate(bearer(await noKid(ed))))?.sub, 'alice');

    const ec2 = await makeKey('ES256', 'ec2');
    const ambiguous = await compile({ issuer: ISSUER, audiences: [AUDIENCE], jwks: jwksText(ec, ec2) });
    t.after(() => ambiguous.close());
    assert.equal(await reasonOf(ambiguous.authenticate(bearer(await noKid(ec)))), 'unknown key id');
  });

  it('inline JWKS and a file both work; file reads are recorded for reload', async (t) => {
    const ctx = buildContext();
    const auth = await compileJwtAuth(
      { issuer: 'agentgateway.dev', jwks: { file: 'test/fixtures/seed-jwt/pub-key' } },
      ctx,
      AT,
    );
    t.after(() => auth.close());
    assert.ok(ctx.files.some((f) => f.endsWith('test/fixtures/seed-jwt/pub-key')));
  });
});

describe('providers', () => {
  it('the kid selects the provider, whose issuer and audiences apply', async (t) => {
    const a = await makeKey('ES256', 'a');
    const b = await makeKey('RS256', 'b');
    const auth = await compile({
      mode: 'strict',
      providers: [
        { issuer: 'https://a.test', audiences: ['aud-a'], jwks: jwksText(a) },
        { issuer: 'https://b.test', audiences: ['aud-b'], jwks: jwksText(b) },
      ],
    });
    t.after(() => auth.close());
    const tokA = await signToken(a, { claims: { iss: 'https://a.test', aud: 'aud-a' } });
    const tokB = await signToken(b, { claims: { iss: 'https://b.test', aud: ['x', 'aud-b'] } });
    assert.equal((await auth.authenticate(bearer(tokA)))?.issuer, 'https://a.test');
    assert.equal((await auth.authenticate(bearer(tokB)))?.issuer, 'https://b.test');
    // Key of provider b, issuer of provider a: refused.
    const mixed = await signToken(b, { claims: { iss: 'https://a.test', aud: 'aud-a' } });
    assert.equal(await reasonOf(auth.authenticate(bearer(mixed))), 'issuer mismatch: got https://a.test');
    const wrongAud = await signToken(a, { claims: { iss: 'https://a.test', aud: 'aud-b' } });
    assert.equal(await reasonOf(auth.authenticate(bearer(wrongAud))), 'audience mismatch');
  });

  it('a kid published by two providers is a load warning; the first provider wins', async (t) => {
    const a = await makeKey('ES256', 'same');
    const b = await makeKey('ES256', 'same');
    const ctx = buildContext();
    const auth = await compileJwtAuth(
      {
        providers: [
          { issuer: 'https://a.test', jwks: jwksText(a) },
          { issuer: 'https://b.test', jwks: jwksText(b) },
        ],
      },
      ctx,
      AT,
    );
    t.after(() => auth.close());
    assert.match(ctx.warnings.join('\n'), /kid "same" is published by providers 0 and 1/);
  });

  it('absent or empty audiences disable the aud check', async (t) => {
    const k = await makeKey('ES256', 'k');
    for (const audiences of [undefined, []]) {
      const auth = await compile({ mode: 'strict', issuer: ISSUER, audiences, jwks: jwksText(k) });
      t.after(() => auth.close());
      const tok = await signToken(k, { claims: { aud: undefined } });
      assert.equal((await auth.authenticate(bearer(tok)))?.sub, 'alice');
    }
  });
});

describe('bad key sets are located config errors', () => {
  const cases: { name: string; jwks: () => Promise<string>; error: RegExp }[] = [
    {
      name: 'HMAC key (kty oct)',
      jwks: async () => JSON.stringify({ keys: [{ kty: 'oct', kid: 'h', k: 'c2VjcmV0' }] }),
      error: /jwks: inline JWKS: keys\[0\] \(kid "h"\): symmetric keys \(kty "oct"\) are not allowed/,
    },
    {
      name: 'HS256 alg on an RSA key',
      jwks: async () => jwksText({ ...(await makeKey('RS256', 'r')).jwk, alg: 'HS256' }),
      error: /keys\[0\] \(kid "r"\): algorithm "HS256" is not allowed/,
    },
    {
      name: 'ES384 alg on a P-256 key',
      jwks: async () => jwksText({ ...(await makeKey('ES256', 'e')).jwk, alg: 'ES384' }),
      error: /algorithm "ES384" does not fit a EC key/,
    },
    {
      name: 'EC point not on the curve',
      jwks: async () => jwksText({ ...(await makeKey('ES256', 'bad')).jwk, y: 'AAAA' }),
      error: /keys\[0\] \(kid "bad"\): cannot import the key/,
    },
    {
      name: 'a short RSA modulus',
      jwks: async () =>
        jwksText({ kty: 'RSA', kid: 'short', n: Buffer.alloc(128, 1).toString('base64url'), e: 'AQAB' }),
      error: /RSA modulus is shorter than 2048 bits/,
    },
    {
      name: 'private key material',
      jwks: async () => jwksText({ ...(await makeKey('ES256', 'p')).jwk, d: 'AAAA' }),
      error: /contains private key material/,
    },
    {
      name: 'a second key that is bad (the good first one does not save the set)',
      jwks: async () =>
        jwksText((await makeKey('ES256', 'ok')).jwk, { kty: 'EC', kid: 'x', crv: 'P-192', x: 'A', y: 'A' }),
      error: /keys\[1\] \(kid "x"\): unsupported EC curve "P-192"/,
    },
    {
      name: 'duplicate kid',
      jwks: async () => jwksText((await makeKey('ES256', 'd')).jwk, (await makeKey('ES256', 'd')).jwk),
      error: /keys\[1\] \(kid "d"\): duplicate kid/,
    },
    { name: 'no keys', jwks: async () => '{"keys": []}', error: /JWKS has no keys/ },
    { name: 'not JSON', jwks: async () => '{"keys": [', error: /JWKS is not valid JSON/ },
    {
      name: 'a path written as inline',
      jwks: async () => './manifests/jwt/pub-key',
      error: /write `jwks: \{file/,
    },
    {
      name: 'unknown kty',
      jwks: async () => '{"keys": [{"kty": "AKP", "kid": "pq"}]}',
      error: /unsupported key type "AKP"/,
    },
    {
      name: 'encryption key',
      jwks: async () => jwksText({ ...(await makeKey('ES256', 'enc')).jwk, use: 'enc' }),
      error: /"use" is "enc", expected "sig"/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const jwks = await c.jwks();
      await assert.rejects(compile({ issuer: ISSUER, jwks }), (e: Error) => {
        assert.match(e.message, new RegExp(`^${AT.join('\\.')}\\.jwks: `));
        assert.match(e.message, c.error);
        return true;
      });
    });
  }

  it('a missing file names the file at jwks.file', async () => {
    await assert.rejects(compile({ issuer: ISSUER, jwks: { file: 'no/such/pub-key' } }), (e: Error) => {
      assert.match(e.message, /jwtAuth\.jwks\.file: cannot read no\/such\/pub-key: ENOENT/);
      return true;
    });
  });

  it('an error in the second provider points at that provider', async () => {
    const good = jwksText(await makeKey('ES256', 'g'));
    const cfg: JwtAuthConfig = {
      providers: [
        { issuer: 'a', jwks: good },
        { issuer: 'b', jwks: '{"keys":[{"kty":"oct","k":"AA"}]}' },
      ],
    };
    await assert.rejects(compile(cfg), /jwtAuth\.providers\.1\.jwks: inline JWKS: keys\[0\]: symmetric keys/);
  });
});

describe('a JWKS file that is not a JWKS', () => {
  it('is named without echoing any of its bytes', async (t) => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'pc-jwks-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const cases = {
      'shadow-like': 'root:S3CRET-HASH:19000:0:99999:7:::\n',
      'json-not-jwks': '{"password": "S3CRET-JSON"}',
      'almost-json': '{"keys": [ "S3CRET-TRUNCATED"',
    };
    for (const [name, text] of Object.entries(cases)) {
      const file = join(dir, name);
      writeFileSync(file, text);
      await assert.rejects(compile({ issuer: ISSUER, jwks: { file } }), (e: Error) => {
        assert.ok(e.message.includes(`file ${file} is not a JWKS`), e.message);
        assert.ok(!e.message.includes('S3CRET'), `file bytes echoed: ${e.message}`);
        assert.ok(!e.message.includes('root:'), `file bytes echoed: ${e.message}`);
        return true;
      });
    }
  });
});

describe('a JWKS URL in an error message', () => {
  it('shows neither its userinfo nor its query string', async () => {
    const url = 'http://user:S3CRET-PASS@127.0.0.1:9/keys?sig=S3CRET-QUERY';
    // Unreachable at start-up is a load warning (the gateway starts and retries), never an echo of the URL.
    const ctx = buildContext();
    const auth = await compileJwtAuth({ issuer: ISSUER, jwks: { url } }, ctx, AT);
    try {
      const text = ctx.warnings.join('\n');
      assert.match(text, /cannot fetch JWKS from http:\/\/127\.0\.0\.1:9\/keys: /);
      assert.ok(!text.includes('S3CRET'), text);
    } finally {
      auth.close?.();
    }
  });
});
