/**
 * Remote JWKS ({url}) against a real local HTTP server: fetched at load, rotation picked up without a
 * restart, old keys kept when the server goes away, Cache-Control max-age honoured, at most one refetch
 * per cooldown for unknown kids. The cooldown runs on an injected clock; refresh timers use short
 * intervals and are awaited by polling, never by sleeping.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { compileJwtAuth } from '../../src/policies/jwt/index.js';
import { AuthnError } from '../../src/policies/jwt/reasons.js';
import { DEFAULT_REMOTE_JWKS_TIMING, type JwtAuthDeps } from '../../src/policies/jwt/deps.js';
import { ttlFromCacheControl } from '../../src/policies/jwt/remote-jwks.js';
import {
  AT,
  AUDIENCE,
  bearer,
  buildContext,
  eventually,
  fakeClock,
  ISSUER,
  jwksText,
  makeKey,
  memoryLogger,
  signToken,
  startServer,
  type TestKey,
  type TestServer,
} from './helpers.js';

interface JwksServer {
  keys: TestKey[];
  status: number;
  cacheControl: string | undefined;
  hits: number;
  server: TestServer;
}

async function jwksServer(t: TestContext, keys: TestKey[]): Promise<JwksServer> {
  const state = { keys, status: 200, cacheControl: undefined as string | undefined, hits: 0 } as JwksServer;
  state.server = await startServer((req, res) => {
    state.hits++;
    if (state.status !== 200) {
      res.writeHead(state.status).end('nope');
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(state.cacheControl ? { 'cache-control': state.cacheControl } : {}),
    });
    res.end(jwksText(...state.keys));
  });
  t.after(() => state.server.close());
  return state;
}

async function compileRemote(t: TestContext, url: string, deps: JwtAuthDeps = {}) {
  const auth = await compileJwtAuth(
    { mode: 'strict', issuer: ISSUER, audiences: [AUDIENCE], jwks: { url } },
    buildContext(),
    AT,
    deps,
  );
  t.after(() => auth.close());
  return auth;
}

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'accepted';
  } catch (e) {
    assert.ok(e instanceof AuthnError, String(e));
    return e.message;
  }
}

describe('remote JWKS', () => {
  it('is fetched at load and verifies tokens', async (t) => {
    const k1 = await makeKey('ES256', 'k1');
    const s = await jwksServer(t, [k1]);
    const auth = await compileRemote(t, `${s.server.url}/jwks.json`);
    assert.equal(s.hits, 1);
    assert.equal(await reason(auth.authenticate(bearer(await signToken(k1)))), 'accepted');
  });

  it('rotation: an unknown kid refetches (once per cooldown) and the new key works without a restart', async (t) => {
    const k1 = await makeKey('ES256', 'k1');
    const k2 = await makeKey('EdDSA', 'k2');
    const s = await jwksServer(t, [k1]);
    const clock = fakeClock();
    const auth = await compileRemote(t, s.server.url, { now: clock.now });
    s.keys = [k1, k2];
    const tok2 = await signToken(k2);
    // Within 30 s of the load fetch: no refetch, the kid is unknown.
    assert.equal(await reason(auth.authenticate(bearer(tok2))), 'unknown key id');
    assert.equal(s.hits, 1);
    clock.advance(31_000);
    assert.equal(await reason(auth.authenticate(bearer(tok2))), 'accepted');
    assert.equal(s.hits, 2);
    // Another unknown kid right away: still at most one refetch per 30 s.
    assert.equal(
      await reason(auth.authenticate(bearer(await signToken(k2, { header: { kid: 'k3' } })))),
      'unknown key id',
    );
    assert.equal(s.hits, 2);
    // k1 removed upstream: after the next refetch its (cached) tokens stop working.
    const tok1 = await signToken(k1);
    assert.equal(await reason(auth.authenticate(bearer(tok1))), 'accepted');
    s.keys = [k2];
    clock.advance(31_000);
    assert.equal(
      await reason(auth.authenticate(bearer(await signToken(k2, { header: { kid: 'k4' } })))),
      'unknown key id',
    );
    assert.equal(s.hits, 3);
    assert.equal(await reason(auth.authenticate(bearer(tok1))), 'unknown key id');
  });

  it('concurrent unknown kids share one refetch', async (t) => {
    const k1 = await makeKey('ES256', 'k1');
    const k2 = await makeKey('ES256', 'k2');
    const s = await jwksServer(t, [k1]);
    const clock = fakeClock();
    const auth = await compileRemote(t, s.server.url, { now: clock.now });
    s.keys = [k1, k2];
    clock.advance(31_000);
    const tok = await signToken(k2);
    const results = await Promise.all([1, 2, 3, 4].map(() => reason(auth.authenticate(bearer(tok)))));
    assert.deepEqual(results, ['accepted', 'accepted', 'accepted', 'accepted']);
    assert.equal(s.hits, 2);
  });

  it('server down later: old keys keep working and a warning is logged', async (t) => {
    const k1 = await makeKey('ES256', 'k1');
    const s = await jwksServer(t, [k1]);
    const clock = fakeClock();
    const logger = memoryLogger();
    const auth = await compileRemote(t, s.server.url, { now: clock.now, logger });
    const tok1 = await signToken(k1);
    await s.server.close();
    clock.advance(31_000);
    // An unknown kid triggers a refetch, which fails.
    assert.equal(
      await reason(auth.authenticate(bearer(await signToken(k1, { header: { kid: 'new' } })))),
      'unknown key id',
    );
    const warn = logger.lines.find((l) => l.level === 'warn');
    assert.ok(warn, 'a warning was logged');
    assert.equal(warn.fields.url, s.server.url);
    assert.match(String(warn.fields.reason), /ECONNREFUSED/);
    assert.ok(!logger.text().includes(tok1));
    assert.equal(await reason(auth.authenticate(bearer(tok1))), 'accepted');
  });

  it('an HTTP error on refresh also keeps the last good keys', async (t) => {
    const k1 = await makeKey('ES256', 'k1');
    const s = await jwksServer(t, [k1]);
    const clock = fakeClock();
    const logger = memoryLogger();
    const auth = await compileRemote(t, s.server.url, { now: clock.now, logger });
    s.status = 503;
    clock.advance(31_000);
    assert.equal(
      await reason(auth.authenticate(bearer(await signToken(k1, { header: { kid: 'x' } })))),
      'unknown key id',
    );
    assert.match(String(logger.lines.find((l) => l.level === 'warn')?.fields.reason), /HTTP 503/);
    assert.equal(await reason(auth.authenticate(bearer(await signToken(k1)))), 'accepted');
  });

  it('honours Cache-Control max-age: the set is refreshed on its own', async (t) => {
    const k1 = await makeKey('ES256', 'k1');
    const k2 = await makeKey('ES256', 'k2');
    const s = await jwksServer(t, [k1]);
    s.cacheControl = 'public, max-age=0';
    // The clock stays frozen, so the unknown-kid path cannot be what fetches k2.
    const clock = fakeClock();
    const auth = await compileRemote(t, s.server.url, { now: clock.now, remoteJwks: { minTtlMs: 50 } });
    s.keys = [k2];
    await eventually(() => s.hits >= 2);
    await eventually(
      async () => (await reason(auth.authenticate(bearer(await signToken(k2))))) === 'accepted',
    );
  });

  it('reports every fetch outcome (the jwks fetch metrics): success, then failure', async (t) => {
    const k1 = await makeKey('ES256', 'k1');
    const s = await jwksServer(t, [k1]);
    const outcomes: boolean[] = [];
    const clock = fakeClock();
    const auth = await compileRemote(t, s.server.url, {
      now: clock.now,
      onJwksRefresh: (ok) => outcomes.push(ok),
    });
    clock.advance(31_000);
    await reason(auth.authenticate(bearer(await signToken(k1, { header: { kid: 'other' } }))));
    assert.deepEqual(outcomes, [true, true], 'the first fetch, then the unknown-kid refetch succeeded');
    await s.server.close();
    clock.advance(31_000);
    await reason(auth.authenticate(bearer(await signToken(k1, { header: { kid: 'again' } }))));
    assert.deepEqual(outcomes, [true, true, false], 'the refetch against a dead server failed');
  });

  it('close() stops refreshing', async (t) => {
    const k1 = await makeKey('ES256', 'k1');
    const s = await jwksServer(t, [k1]);
    const clock = fakeClock();
    const auth = await compileRemote(t, s.server.url, { now: clock.now });
    auth.close();
    clock.advance(60_000);
    await reason(auth.authenticate(bearer(await signToken(k1, { header: { kid: 'zz' } }))));
    assert.equal(s.hits, 1, 'no fetch after close');
  });
});

describe('remote JWKS unreachable at load: the gateway starts, tokens wait for the keys', () => {
  async function compileDown(t: TestContext, url: string, deps: JwtAuthDeps = {}) {
    const ctx = buildContext();
    const auth = await compileJwtAuth(
      { mode: 'strict', issuer: ISSUER, audiences: [AUDIENCE], jwks: { url } },
      ctx,
      AT,
      deps,
    );
    t.after(() => auth.close());
    return { auth, warnings: ctx.warnings };
  }

  it('HTTP status: a located warning, tokens refused with the reason, keys used once a retry succeeds', async (t) => {
    const k1 = await makeKey('ES256', 'k1');
    const s = await jwksServer(t, [k1]);
    s.status = 500;
    const outcomes: boolean[] = [];
    const { auth, warnings } = await compileDown(t, `${s.server.url}/keys`, {
      onJwksRefresh: (ok) => outcomes.push(ok),
    });
    assert.match(
      warnings.join('\n'),
      new RegExp(`${AT.join('.')}.jwks.url: cannot fetch JWKS from .*/keys: HTTP 500`),
    );
    const token = await signToken(k1);
    assert.equal(await reason(auth.authenticate(bearer(token))), 'JWKS not available yet (HTTP 500)');
    s.status = 200;
    await eventually(async () => (await reason(auth.authenticate(bearer(token)))) === 'accepted', 10_000);
    assert.equal(outcomes[0], false);
    assert.equal(outcomes.at(-1), true);
  });

  it('connection refused', async (t) => {
    const s = await jwksServer(t, []);
    await s.server.close();
    const { auth, warnings } = await compileDown(t, s.server.url);
    assert.match(
      warnings.join('\n'),
      /jwks\.url: cannot fetch JWKS from http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/,
    );
    const k = await makeKey('ES256', 'k');
    assert.match(
      await reason(auth.authenticate(bearer(await signToken(k)))),
      /^JWKS not available yet \(.*ECONNREFUSED/,
    );
  });

  it('a body that is not a key set', async (t) => {
    const k = await makeKey('ES256', 'k');
    const s = await jwksServer(t, [{ ...k, jwk: { kty: 'oct', kid: 'h', k: 'AA' } }]);
    const { warnings } = await compileDown(t, s.server.url);
    assert.match(warnings.join('\n'), /cannot fetch JWKS from .*: keys\[0\] \(kid "h"\): symmetric keys/);
  });

  it('a plain-http URL outside loopback is a load warning', async (t) => {
    const { warnings } = await compileDown(t, 'http://192.0.2.1:9/jwks', { remoteJwks: { timeoutMs: 200 } });
    assert.match(warnings.join('\n'), /plain http from 192\.0\.2\.1:9/);
    assert.match(warnings.join('\n'), /cannot fetch JWKS/);
  });
});

describe('ttlFromCacheControl', () => {
  const t = DEFAULT_REMOTE_JWKS_TIMING;
  it('defaults to 15 minutes, clamps to at least 60 s and at most 24 h', () => {
    assert.equal(ttlFromCacheControl(undefined, t), 15 * 60_000);
    assert.equal(ttlFromCacheControl('public', t), 15 * 60_000);
    assert.equal(ttlFromCacheControl('max-age=10', t), 60_000);
    assert.equal(ttlFromCacheControl('public, max-age=3600', t), 3_600_000);
    assert.equal(ttlFromCacheControl('max-age=99999999', t), 24 * 3_600_000);
    assert.equal(ttlFromCacheControl('no-store', t), 60_000);
    assert.equal(ttlFromCacheControl(['public', 'max-age=120'], t), 120_000);
  });
});
