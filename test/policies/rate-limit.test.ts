import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import type { LocalRateLimitBucketConfig } from '../../src/config/schema/policies.js';
import { GatewayError } from '../../src/errors/registry.js';
import { sendHttpError } from '../../src/errors/respond.js';
import {
  compileLocalRateLimit,
  keyString,
  writeRateLimitHeaders,
} from '../../src/policies/rate-limit/index.js';
import type { Identity, RequestContext } from '../../src/contracts/request-context.js';
import type { RateLimitResult } from '../../src/policies/types.js';
import { afterTest, AT, buildContext, identity, located, send, serve } from './helpers.js';

/** A monotonic test clock (ms). */
function clock(start = 1_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** A RequestContext with only what rate-limit keys read (identity, request, source). */
function ctxFor(who: Identity | null, headers: Record<string, string> = {}): RequestContext {
  return {
    req: {} as IncomingMessage,
    res: {} as ServerResponse,
    url: new URL('http://gw.test/mcp'),
    request: { method: 'POST', path: '/mcp', host: 'gw.test', scheme: 'http', headers },
    source: { address: '10.0.0.1', port: 5555 },
    startedAt: 0,
    identity: who,
    upstreamHeaders: {},
    signal: new AbortController().signal,
    backendRequestTimeoutMs: undefined,
    log: {},
    traceparent: undefined,
  };
}

/** Buckets of this process only: `take` answers synchronously. */
const compile = (cfg: LocalRateLimitBucketConfig[], now: () => number, maxKeys?: number) => {
  const policy = compileLocalRateLimit(cfg, buildContext(), AT, { now, ...(maxKeys ? { maxKeys } : {}) });
  return {
    take(ctx: RequestContext): RateLimitResult {
      const r = policy.take(ctx);
      assert.ok(r !== undefined && !(r instanceof Promise), 'local buckets answer synchronously');
      return r;
    },
  };
};

describe('localRateLimit per route', () => {
  it('allows maxTokens requests, then denies with the time to the next fill', () => {
    const c = clock();
    const rl = compile([{ maxTokens: 2, fillInterval: '10s' }], c.now);
    const ctx = ctxFor(null);
    assert.deepEqual(rl.take(ctx), { allowed: true, limit: 2, remaining: 1, resetSeconds: 10 });
    c.advance(2_500);
    assert.deepEqual(rl.take(ctx), { allowed: true, limit: 2, remaining: 0, resetSeconds: 8 });
    assert.deepEqual(rl.take(ctx), { allowed: false, limit: 2, remaining: 0, resetSeconds: 8 });
  });

  it('is shared by every caller of the route without a key', () => {
    const c = clock();
    const rl = compile([{ maxTokens: 1, fillInterval: '1m' }], c.now);
    assert.equal(rl.take(ctxFor(identity('alice'))).allowed, true);
    assert.equal(rl.take(ctxFor(identity('bob'))).allowed, false);
  });

  it('refills tokensPerFill per elapsed interval, capped at maxTokens (injected clock)', () => {
    const c = clock();
    const rl = compile([{ maxTokens: 3, tokensPerFill: 1, fillInterval: '10s' }], c.now);
    const ctx = ctxFor(null);
    for (let i = 0; i < 3; i++) assert.equal(rl.take(ctx).allowed, true);
    assert.equal(rl.take(ctx).allowed, false);
    c.advance(9_999);
    assert.equal(rl.take(ctx).allowed, false);
    c.advance(1);
    assert.deepEqual(rl.take(ctx), { allowed: true, limit: 3, remaining: 0, resetSeconds: 10 });
    c.advance(25_000); // two whole fills
    assert.equal(rl.take(ctx).remaining, 1);
    c.advance(3_600_000); // long idle: full again, not more
    assert.equal(rl.take(ctx).remaining, 2);
  });

  it('tokensPerFill defaults to maxTokens', () => {
    const c = clock();
    const rl = compile([{ maxTokens: 5, fillInterval: '1s' }], c.now);
    const ctx = ctxFor(null);
    for (let i = 0; i < 5; i++) rl.take(ctx);
    assert.equal(rl.take(ctx).allowed, false);
    c.advance(1_000);
    assert.equal(rl.take(ctx).remaining, 4);
  });

  it('with several buckets all must allow, a denial consumes from none, the binding bucket is reported', () => {
    const c = clock();
    const rl = compile(
      [
        { maxTokens: 3, fillInterval: '1m' },
        { maxTokens: 2, fillInterval: '1s' },
      ],
      c.now,
    );
    const ctx = ctxFor(null);
    assert.deepEqual(rl.take(ctx), { allowed: true, limit: 2, remaining: 1, resetSeconds: 1 });
    assert.deepEqual(rl.take(ctx), { allowed: true, limit: 2, remaining: 0, resetSeconds: 1 });
    // Denied by the per-second bucket; the minute bucket keeps its last token.
    assert.deepEqual(rl.take(ctx), { allowed: false, limit: 2, remaining: 0, resetSeconds: 1 });
    c.advance(1_000);
    assert.deepEqual(rl.take(ctx), { allowed: true, limit: 3, remaining: 0, resetSeconds: 59 });
    assert.deepEqual(rl.take(ctx), { allowed: false, limit: 3, remaining: 0, resetSeconds: 59 });
  });
});

describe('localRateLimit keyed per identity', () => {
  const keyed: LocalRateLimitBucketConfig[] = [{ maxTokens: 2, fillInterval: '1m', key: 'jwt.sub' }];

  it('two identities do not starve each other', () => {
    const rl = compile(keyed, clock().now);
    const alice = ctxFor(identity('alice'));
    const bob = ctxFor(identity('bob'));
    assert.equal(rl.take(alice).allowed, true);
    assert.equal(rl.take(alice).allowed, true);
    assert.equal(rl.take(alice).allowed, false);
    assert.deepEqual(rl.take(bob), { allowed: true, limit: 2, remaining: 1, resetSeconds: 60 });
    assert.equal(rl.take(bob).allowed, true);
    assert.equal(rl.take(bob).allowed, false);
  });

  it('callers without a key value share the anonymous bucket, which no identity can name', () => {
    const rl = compile(keyed, clock().now);
    assert.equal(rl.take(ctxFor(null)).allowed, true);
    assert.equal(rl.take(ctxFor(identity(undefined))).allowed, true); // token without sub: error → anonymous
    assert.equal(rl.take(ctxFor(null)).allowed, false);
    assert.equal(rl.take(ctxFor(identity('anonymous'))).allowed, true);
  });

  it('keys on any CEL expression (a header), stringified', () => {
    const rl = compile(
      [{ maxTokens: 1, fillInterval: '1m', key: 'request.headers["x-tenant"]' }],
      clock().now,
    );
    assert.equal(rl.take(ctxFor(null, { 'x-tenant': 'a' })).allowed, true);
    assert.equal(rl.take(ctxFor(null, { 'x-tenant': 'a' })).allowed, false);
    assert.equal(rl.take(ctxFor(null, { 'x-tenant': 'b' })).allowed, true);
    assert.equal(rl.take(ctxFor(null)).allowed, true, 'missing header → anonymous');
  });

  it('bounds memory: the least recently used key is forgotten (and starts full again)', () => {
    const rl = compile([{ maxTokens: 1, fillInterval: '1h', key: 'jwt.sub' }], clock().now, 2);
    for (const sub of ['a', 'b', 'c']) assert.equal(rl.take(ctxFor(identity(sub))).allowed, true);
    assert.equal(rl.take(ctxFor(identity('c'))).allowed, false);
    assert.equal(rl.take(ctxFor(identity('a'))).allowed, true, 'evicted key starts with a full bucket');
  });

  it('keyString stringifies values and maps null/empty to the anonymous bucket', () => {
    assert.equal(keyString('x'), 'x');
    assert.equal(keyString(42n), '42');
    assert.equal(keyString(true), 'true');
    assert.equal(keyString(['a', 1n]), '["a","1"]');
    assert.equal(keyString(null), undefined);
    assert.equal(keyString(''), undefined);
    const long = keyString('x'.repeat(10_000));
    assert.match(long ?? '', /^sha256:[\w-]{43}$/);
    assert.notEqual(keyString('y'.repeat(10_000)), long);
  });
});

describe('localRateLimit at config load', () => {
  it('reports a bad CEL key at the key field', () => {
    assert.throws(
      () =>
        compile(
          [
            { maxTokens: 1, fillInterval: '1s' },
            { maxTokens: 1, fillInterval: '1s', key: 'jwt.sub ==' },
          ],
          Date.now,
        ),
      located([1, 'key'], 'invalid CEL expression'),
    );
  });
  it('rejects a zero fillInterval', () => {
    assert.throws(
      () => compile([{ maxTokens: 1, fillInterval: '0s' }], Date.now),
      located([0, 'fillInterval'], 'greater than 0'),
    );
  });
});

describe('rate-limit headers over HTTP', () => {
  it('sets x-ratelimit-* on every response and Retry-After on the 429', async (t) => {
    const c = clock();
    const rl = compile([{ maxTokens: 1, fillInterval: '30s', key: 'request.headers["x-user"]' }], c.now);
    const url = await serve(afterTest(t), (ctx) => {
      const r = rl.take(ctx);
      writeRateLimitHeaders(ctx.res, r);
      if (!r.allowed) return sendHttpError(ctx.res, new GatewayError('RATE_LIMITED'));
      ctx.res.end('ok');
    });
    const ok = await send(url, { headers: { 'x-user': 'u1' } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['x-ratelimit-limit'], '1');
    assert.equal(ok.headers['x-ratelimit-remaining'], '0');
    assert.equal(ok.headers['x-ratelimit-reset'], '30');
    assert.equal(ok.headers['retry-after'], undefined);

    c.advance(12_000);
    const denied = await send(url, { headers: { 'x-user': 'u1' } });
    assert.equal(denied.status, 429);
    assert.equal(denied.body, 'rate limit exceeded\n');
    assert.equal(denied.headers['x-ratelimit-remaining'], '0');
    assert.equal(denied.headers['x-ratelimit-reset'], '18');
    assert.equal(denied.headers['retry-after'], '18');

    const other = await send(url, { headers: { 'x-user': 'u2' } });
    assert.equal(other.status, 200, 'another key has its own bucket');
  });

  it('Retry-After is at least one second', () => {
    const headers: Record<string, string> = {};
    const res = { setHeader: (k: string, v: string) => void (headers[k] = v) } as unknown as ServerResponse;
    writeRateLimitHeaders(res, { allowed: false, limit: 1, remaining: 0, resetSeconds: 0 });
    assert.equal(headers['retry-after'], '1');
  });
});
