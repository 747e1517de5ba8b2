/**
 * agentgateway's conditional `localRateLimit` through the running gateway: the first entry whose CEL
 * condition holds limits the request; a request no entry matches is not limited.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

describe('conditional localRateLimit', () => {
  let gw: TestGateway;

  before(async () => {
    gw = await startGateway(
      `
gateways:
  default:
    port: 0
routes:
  - policies:
      localRateLimit:
        conditional:
          - condition: 'request.headers["x-tier"] == "free"'
            maxTokens: 1
            fillInterval: 1h
          - condition: 'request.headers["x-tier"] == "pro"'
            maxTokens: 3
            fillInterval: 1h
      directResponse: { status: 200, body: ok }
`,
      { name: 'rate-limit-conditional' },
    );
  });

  after(async () => gw?.stop());

  const statuses = async (n: number, headers: Record<string, string>) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await fetch(`${gw.url}/`, { headers })).status);
    return out;
  };

  test('each condition selects its own bucket', async () => {
    assert.deepEqual(await statuses(2, { 'x-tier': 'free' }), [200, 429]);
    assert.deepEqual(await statuses(4, { 'x-tier': 'pro' }), [200, 200, 200, 429]);
  });

  test('a request no condition matches is not limited (and gets no rate-limit headers)', async () => {
    assert.deepEqual(await statuses(5, {}), [200, 200, 200, 200, 200]);
    const r = await fetch(`${gw.url}/`);
    assert.equal(r.headers.get('x-ratelimit-limit'), null);
  });
});
