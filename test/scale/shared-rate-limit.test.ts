/**
 * A per-identity rate limit shared by two gateways through a real redis-server: the two replicas draw
 * from one bucket per identity, two identities never share one, and when Redis goes away the failure
 * mode decides — `open` falls back to each replica's own buckets, `closed` answers 503 — and the shared
 * bucket applies again once Redis is back, without a restart.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { AUDIENCE, ISSUER, jwksText, makeKey, signToken, type TestKey } from '../authn/helpers.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

const config = `binds:
- port: 0
  listeners:
  - routes:
    - policies:
        jwtAuth:
          mode: optional
          issuer: ${ISSUER}
          audiences: [${AUDIENCE}]
          jwks: {file: jwks.json}
        localRateLimit:
        - maxTokens: 4
          tokensPerFill: 4
          fillInterval: 1h
          key: 'jwt.sub'
        directResponse:
          status: 200
          body: ok
`;

let key: TestKey;
const token = (sub: string): Promise<string> => signToken(key, { claims: { sub } });

async function statuses(urls: string[], auth: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await fetch(urls[i % urls.length]!, { headers: { authorization: `Bearer ${auth}` } });
    await r.arrayBuffer();
    out.push(r.status);
  }
  return out;
}

async function until(cond: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a rate limit shared through Redis by two replicas', () => {
  let redis: TestRedis;
  let open: [TestGateway, TestGateway];
  let closed: TestGateway;
  const redisUp = async (gw: TestGateway) =>
    /^portcullis_redis_up 1$/m.test(await (await fetch(`${gw.statsUrl}/metrics`)).text());

  before(async () => {
    redis = await startRedis();
    key = await makeKey('ES256', 'k1');
    const files = { 'jwks.json': jwksText(key) };
    const env = { PORTCULLIS_REDIS_URL: redis.url, PORTCULLIS_REDIS_FAILURE_MODE: 'open' };
    open = [
      await startGateway(config, { env, files, name: 'redis-a' }),
      await startGateway(config, { env, files, name: 'redis-b' }),
    ];
    closed = await startGateway(config, {
      env: { PORTCULLIS_REDIS_URL: redis.url, PORTCULLIS_REDIS_FAILURE_MODE: 'closed' },
      files,
      name: 'redis-closed',
    });
    for (const gw of [...open, closed]) await until(() => redisUp(gw), 'redis connected');
  });
  after(async () => {
    for (const gw of [...(open ?? []), closed]) await gw?.stop();
    await redis?.stop();
  });

  test('one bucket per identity across both replicas', async () => {
    const urls = open.map((g) => g.url);
    const alice = await token('alice');
    assert.deepEqual(await statuses(urls, alice, 6), [200, 200, 200, 200, 429, 429]);
    const bob = await token('bob');
    assert.deepEqual(await statuses(urls, bob, 5), [200, 200, 200, 200, 429], 'bob has his own bucket');
  });

  test('Redis down: open falls back to local buckets, closed answers 503; back up: shared again', async () => {
    await redis.stop();
    await until(async () => !(await redisUp(open[0])), 'the outage to be seen');
    const carol = await token('carol');
    // Each replica's own bucket: 4 tokens each.
    assert.deepEqual(await statuses([open[0].url], carol, 5), [200, 200, 200, 200, 429]);
    assert.deepEqual(await statuses([open[1].url], carol, 1), [200]);
    const r = await fetch(closed.url, { headers: { authorization: `Bearer ${carol}` } });
    assert.equal(r.status, 503);
    assert.match(await r.text(), /rate limit store unavailable/);
    const metrics = await (await fetch(`${open[0].statsUrl}/metrics`)).text();
    assert.match(metrics, /portcullis_redis_errors_total\{op="take"\} [1-9]/);

    await redis.restart();
    await until(() => redisUp(open[0]), 'reconnect');
    await until(() => redisUp(open[1]), 'reconnect');
    const dave = await token('dave');
    assert.deepEqual(
      await statuses(
        open.map((g) => g.url),
        dave,
        6,
      ),
      [200, 200, 200, 200, 429, 429],
    );
  });
});
