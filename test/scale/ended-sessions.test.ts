/**
 * Ended session ids shared through a real redis-server: a session DELETEd through replica A is refused
 * by replica B (404, counted as `ended`) before B contacts any upstream; with Redis down, the failure mode
 * decides (`closed`: 503 SESSION_STORE_UNAVAILABLE, `open`: the id is resumed on local knowledge).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { scrape } from '../helpers/metrics.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { callTool, createUpstreamServer, openSession, mcpBackendYaml } from '../e2e/helpers.js';
import { serveHttp, type ServedFixture } from '../fixtures/serve.js';

const KEY = randomBytes(32).toString('hex');

async function until(cond: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const noRedis =
  spawnSync('redis-server', ['--version']).status === 0 ? false : 'redis-server is not installed';

describe('ended session ids in Redis', { skip: noRedis }, () => {
  let redis: TestRedis;
  let upstream: ServedFixture;
  let a: TestGateway;
  let b: TestGateway;
  let closed: TestGateway;
  const redisUp = async (gw: TestGateway): Promise<boolean> =>
    (await scrape(gw.statsUrl, 'portcullis_redis_up')) === 1;
  const resumes = (gw: TestGateway, result: string): Promise<number> =>
    scrape(gw.statsUrl, 'portcullis_mcp_session_resume_total', { result });

  before(async () => {
    redis = await startRedis();
    upstream = await serveHttp(() => createUpstreamServer());
    const yaml = `binds:
- port: 0
  listeners:
  - routes:
    - ${mcpBackendYaml(upstream.url).trimStart()}`;
    const env = (mode: string) => ({
      PORTCULLIS_SESSION_KEY: KEY,
      PORTCULLIS_REDIS_URL: redis.url,
      PORTCULLIS_REDIS_FAILURE_MODE: mode,
    });
    a = await startGateway(yaml, { env: env('open'), name: 'ended-a' });
    b = await startGateway(yaml, { env: env('open'), name: 'ended-b' });
    closed = await startGateway(yaml, { env: env('closed'), name: 'ended-closed' });
    for (const gw of [a, b, closed]) await until(() => redisUp(gw), 'redis connected');
  });
  after(async () => {
    for (const gw of [a, b, closed]) await gw?.stop();
    await upstream?.close();
    await redis?.stop();
  });

  test('DELETE through A: the same id through B is 404, refused before any upstream request', async () => {
    const s = await openSession(`${a.url}/mcp`);
    assert.equal((await callTool(`${b.url}/mcp`, s, 'echo', { message: 'x' })).status, 200);
    const del = await fetch(`${a.url}/mcp`, { method: 'DELETE', headers: s.headers });
    assert.equal(del.status, 204);
    // B held a copy (it served a request): a fresh replica C never did.
    const c = await startGateway(
      `binds:\n- port: 0\n  listeners:\n  - routes:\n    - ${mcpBackendYaml(upstream.url).trimStart()}`,
      { env: { PORTCULLIS_SESSION_KEY: KEY, PORTCULLIS_REDIS_URL: redis.url }, name: 'ended-c' },
    );
    try {
      await until(() => redisUp(c), 'redis connected');
      const seen = upstream.requests.length;
      const r = await callTool(`${c.url}/mcp`, s, 'echo', { message: 'x' });
      assert.equal(r.status, 404, r.text);
      assert.equal(await resumes(c, 'ended'), 1);
      assert.equal(upstream.requests.length, seen, 'the upstream was not asked');
    } finally {
      await c.stop();
    }
  });

  test('Redis down: failure mode closed answers 503, open resumes; both logged and counted', async () => {
    const s1 = await openSession(`${a.url}/mcp`);
    const s2 = await openSession(`${a.url}/mcp`);
    await redis.stop();
    await until(async () => !(await redisUp(closed)) && !(await redisUp(b)), 'redis down');
    const refused = await callTool(`${closed.url}/mcp`, s1, 'echo', { message: 'x' });
    assert.equal(refused.status, 503, refused.text);
    assert.equal((refused.message?.['error'] as { message?: string })?.message, 'session store unavailable');
    assert.equal(await resumes(closed, 'unavailable'), 1);
    assert.ok((await scrape(closed.statsUrl, 'portcullis_redis_errors_total', { op: 'isEnded' })) >= 1);
    const served = await callTool(`${b.url}/mcp`, s2, 'echo', { message: 'y' });
    assert.equal(served.status, 200, served.text);
    await redis.restart();
    await until(() => redisUp(closed), 'redis back');
    assert.equal((await callTool(`${closed.url}/mcp`, s1, 'echo', { message: 'z' })).status, 200);
  });
});
