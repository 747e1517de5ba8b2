/**
 * Modes × (no token, bad token, good token) as docs/authentication.md describes them, the bearer scheme, clock skew, and
 * the verified-token cache (a hit re-checks exp; a key that disappears invalidates its entries).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { JwtAuthConfig } from '../../src/config/schema/policies.js';
import { compileJwtAuth } from '../../src/policies/jwt/index.js';
import { AuthnError } from '../../src/policies/jwt/reasons.js';
import type { JwtAuthDeps } from '../../src/policies/jwt/deps.js';
import type { AccessLogFields } from '../../src/contracts/request-context.js';
import {
  AT,
  AUDIENCE,
  bearer,
  buildContext,
  fakeClock,
  ISSUER,
  jwksText,
  makeKey,
  memoryLogger,
  nowSec,
  request,
  signToken,
  type TestKey,
} from './helpers.js';

let key: TestKey;
before(async () => {
  key = await makeKey('ES256', 'k1');
});

async function compile(extra: Partial<JwtAuthConfig> = {}, deps: JwtAuthDeps = {}) {
  const cfg = { issuer: ISSUER, audiences: [AUDIENCE], jwks: jwksText(key), ...extra } as JwtAuthConfig;
  return compileJwtAuth(cfg, buildContext(), AT, deps);
}

type Outcome = 'identity' | 'anonymous' | `401 ${string}`;

async function outcome(p: Promise<unknown>): Promise<Outcome> {
  try {
    const id = await p;
    return id === null ? 'anonymous' : 'identity';
  } catch (e) {
    assert.ok(e instanceof AuthnError);
    return `401 ${e.message}`;
  }
}

describe('modes × tokens', () => {
  const expected: Record<string, Record<'none' | 'bad' | 'good', Outcome>> = {
    strict: { none: '401 authorization header missing', bad: '401 token expired', good: 'identity' },
    optional: { none: 'anonymous', bad: '401 token expired', good: 'identity' },
    permissive: { none: 'anonymous', bad: 'anonymous', good: 'identity' },
    '(default)': { none: 'anonymous', bad: '401 token expired', good: 'identity' },
  };
  for (const [mode, row] of Object.entries(expected)) {
    it(`${mode}: none → ${row.none}, bad → ${row.bad}, good → ${row.good}`, async (t) => {
      const logger = memoryLogger();
      const auth = await compile(mode === '(default)' ? {} : { mode: mode as JwtAuthConfig['mode'] }, {
        logger,
      });
      t.after(() => auth.close());
      const bad = await signToken(key, { claims: { exp: nowSec() - 3600 } });
      const good = await signToken(key);
      assert.equal(await outcome(auth.authenticate(request())), row.none);
      const log: AccessLogFields = {};
      assert.equal(await outcome(auth.authenticate(bearer(bad), log)), row.bad);
      // Even when permissive lets it through, the reason is recorded.
      assert.equal(log['authn.reason'], 'token expired');
      const okLog: AccessLogFields = {};
      assert.equal(await outcome(auth.authenticate(bearer(good), okLog)), row.good);
      assert.equal(okLog['jwt.sub'], 'alice');
      assert.ok(logger.lines.some((l) => l.fields.reason === 'token expired'));
    });
  }

  it('permissive also lets a malformed token and duplicated headers through without identity', async (t) => {
    const auth = await compile({ mode: 'permissive' });
    t.after(() => auth.close());
    assert.equal(await auth.authenticate(bearer('x.y.z')), null);
    const good = await signToken(key);
    assert.equal(await auth.authenticate(request(`Bearer ${good}`, `Bearer ${good}`)), null);
  });
});

describe('bearer extraction', () => {
  it('matches the scheme case-insensitively and accepts bare headers', async (t) => {
    const auth = await compile({ mode: 'strict' });
    t.after(() => auth.close());
    const tok = await signToken(key);
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      assert.equal((await auth.authenticate(request(`${scheme} ${tok}`)))?.sub, 'alice', scheme);
    }
    assert.equal((await auth.authenticate({ authorization: `Bearer ${tok}` }))?.sub, 'alice');
    assert.equal((await auth.authenticate(request(`Bearer   ${tok}`)))?.sub, 'alice', 'extra spaces');
  });

  it('sees duplicated headers in rawHeaders whatever their case', async (t) => {
    const auth = await compile({ mode: 'optional' });
    t.after(() => auth.close());
    const tok = await signToken(key);
    const req = {
      headers: { authorization: `Bearer ${tok}` },
      rawHeaders: ['authorization', `Bearer ${tok}`, 'AUTHORIZATION', 'Basic x'],
    };
    assert.equal(await outcome(auth.authenticate(req)), '401 multiple authorization headers');
  });
});

describe('clock skew', () => {
  it('60 s by default for exp, nbf and iat', async (t) => {
    const auth = await compile({ mode: 'strict' });
    t.after(() => auth.close());
    const now = nowSec();
    assert.equal(
      await outcome(auth.authenticate(bearer(await signToken(key, { claims: { exp: now - 30 } })))),
      'identity',
    );
    assert.equal(
      await outcome(auth.authenticate(bearer(await signToken(key, { claims: { exp: now - 90 } })))),
      '401 token expired',
    );
    assert.equal(
      await outcome(auth.authenticate(bearer(await signToken(key, { claims: { nbf: now + 30 } })))),
      'identity',
    );
    assert.equal(
      await outcome(auth.authenticate(bearer(await signToken(key, { claims: { nbf: now + 90 } })))),
      '401 token not yet valid',
    );
    assert.equal(
      await outcome(auth.authenticate(bearer(await signToken(key, { claims: { iat: now + 30 } })))),
      'identity',
    );
  });

  it('is configurable (clockSkew)', async (t) => {
    const none = await compile({ mode: 'strict', clockSkew: '0s' });
    const wide = await compile({ mode: 'strict', clockSkew: '5m' });
    t.after(() => (none.close(), wide.close()));
    const tok = await signToken(key, { claims: { exp: nowSec() - 30 } });
    assert.equal(await outcome(none.authenticate(bearer(tok))), '401 token expired');
    const older = await signToken(key, { claims: { exp: nowSec() - 200 } });
    assert.equal(await outcome(wide.authenticate(bearer(older))), 'identity');
  });
});

describe('verified-token cache', () => {
  it('a cache hit still re-checks exp (injected clock)', async (t) => {
    const clock = fakeClock();
    const auth = await compile({ mode: 'strict' }, { now: clock.now });
    t.after(() => auth.close());
    const exp = Math.floor(clock.now() / 1000) + 120;
    const tok = await signToken(key, { claims: { exp, iat: Math.floor(clock.now() / 1000) } });
    const first = await auth.authenticate(bearer(tok));
    const second = await auth.authenticate(bearer(tok));
    assert.equal(first, second, 'the second call is served from the cache');
    clock.advance(120_000 + 59_000); // within the 60 s skew after exp
    assert.equal(await auth.authenticate(bearer(tok)), first);
    clock.advance(2_000);
    assert.equal(await outcome(auth.authenticate(bearer(tok))), '401 token expired');
    assert.equal(await outcome(auth.authenticate(bearer(tok))), '401 token expired');
  });

  it('never caches failures: a not-yet-valid token becomes valid when its time comes', async (t) => {
    const clock = fakeClock();
    const auth = await compile({ mode: 'strict' }, { now: clock.now });
    t.after(() => auth.close());
    const nbf = Math.floor(clock.now() / 1000) + 300;
    const tok = await signToken(key, { claims: { nbf, iat: nbf, exp: nbf + 600 } });
    assert.equal(await outcome(auth.authenticate(bearer(tok))), '401 token not yet valid');
    clock.advance(300_000);
    assert.equal(await outcome(auth.authenticate(bearer(tok))), 'identity');
  });

  it('a fractional or far-future exp is cached without trouble', async (t) => {
    const auth = await compile({ mode: 'strict' });
    t.after(() => auth.close());
    for (const exp of [nowSec() + 100.5, 9_999_999_999]) {
      const tok = await signToken(key, { claims: { exp } });
      assert.equal(await outcome(auth.authenticate(bearer(tok))), 'identity');
      assert.equal(await outcome(auth.authenticate(bearer(tok))), 'identity');
    }
  });

  it('identities are frozen: one request cannot change what the next one sees', async (t) => {
    const auth = await compile({ mode: 'strict' });
    t.after(() => auth.close());
    const tok = await signToken(key, { claims: { nested: { role: 'user' } } });
    const id = await auth.authenticate(bearer(tok));
    assert.throws(() => {
      (id!.claims.nested as Record<string, unknown>).role = 'admin';
    }, TypeError);
    assert.throws(() => {
      (id!.celClaims as Record<string, unknown>).sub = 'root';
    }, TypeError);
  });
});
