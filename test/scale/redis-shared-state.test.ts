/**
 * SharedState against a real redis-server: two "replicas" draw from one bucket, ended sessions are seen
 * by both, and a Redis outage answers UNAVAILABLE (the caller's failure mode), counted and recovered
 * without a restart.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { SharedState, UNAVAILABLE } from '../../src/redis/shared-state.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

const logger = pino({ level: 'silent' });

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('shared state in Redis', () => {
  let redis: TestRedis;
  let a: SharedState;
  let b: SharedState;
  const errors: string[] = [];
  const ups: boolean[] = [];

  before(async () => {
    redis = await startRedis();
    a = new SharedState({
      url: redis.url,
      failureMode: 'open',
      logger,
      onError: (op) => errors.push(op),
      onUp: (u) => ups.push(u),
    });
    b = new SharedState({ url: redis.url, failureMode: 'closed', logger });
    await until(() => a.up && b.up, 'both connected');
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop();
  });

  test('two replicas share one bucket: 5 tokens in all, whoever takes them', async () => {
    const spec = { maxTokens: 5, tokensPerFill: 5, intervalMs: 60_000 };
    const results = [];
    for (let i = 0; i < 8; i++) results.push(await (i % 2 ? b : a).take('route/alice', spec));
    const allowed = results.map((r) => (r === UNAVAILABLE ? 'x' : r.allowed ? 'y' : 'n')).join('');
    assert.equal(allowed, 'yyyyynnn');
    const last = results[7]!;
    assert.ok(
      last !== UNAVAILABLE && last.remaining === 0 && last.resetSeconds >= 1 && last.resetSeconds <= 60,
    );
    // Another identity has its own bucket.
    const bob = await a.take('route/bob', spec);
    assert.ok(bob !== UNAVAILABLE && bob.allowed && bob.remaining === 4);
  });

  test('concurrent takes are atomic: exactly maxTokens succeed', async () => {
    const spec = { maxTokens: 20, tokensPerFill: 20, intervalMs: 60_000 };
    const all = await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).take('route/burst', spec)),
    );
    assert.equal(all.filter((r) => r !== UNAVAILABLE && r.allowed).length, 20);
  });

  test('a session ended on one replica is ended for the other', async () => {
    assert.equal(await b.isEnded('digest-1'), false);
    assert.equal(await a.endSession('digest-1', 60_000), true);
    assert.equal(await b.isEnded('digest-1'), true);
  });

  test('Redis down: UNAVAILABLE, counted; back up: recovered without a restart', async () => {
    const before = errors.length;
    await redis.stop();
    await until(() => !a.up, 'a sees the outage');
    const spec = { maxTokens: 5, tokensPerFill: 5, intervalMs: 60_000 };
    assert.equal(await a.take('route/carol', spec), UNAVAILABLE);
    assert.equal(await a.isEnded('x'), UNAVAILABLE);
    assert.ok(errors.length > before, 'failures are counted');
    assert.equal(ups.at(-1), false);
    await redis.restart();
    await until(() => a.up, 'a reconnects');
    const r = await a.take('route/carol', spec);
    assert.ok(r !== UNAVAILABLE && r.allowed);
    assert.equal(ups.at(-1), true);
  });
});
