/**
 * config.limits on the MCP side, through the whole gateway from YAML with a real stdio fixture:
 * sessions (global, and per caller — anonymous callers keyed by source address), stdio processes per
 * target (counted with ps), requests in flight per session, and the idle timeout that reaps children.
 * Every refusal is a JSON-RPC error body with the right HTTP status, and counted in /metrics.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import {
  OTHER,
  call,
  countProcs,
  del,
  initBody,
  metric,
  post,
  stdioTarget,
  until,
  type Reply,
} from './limits-helpers.js';

function rpcError(r: Reply): { code: number; message: string } | undefined {
  return r.body.error as { code: number; message: string } | undefined;
}

function yaml(stdio: string, limits: string): string {
  return `
config:
  limits: ${limits}
binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
          targets:
          - name: limits
            stdio: ${stdio}
`;
}

describe('MCP limits', () => {
  const gateways: TestGateway[] = [];
  const boot = async (y: string): Promise<TestGateway> => {
    const gw = await startGateway(y, { name: 'mcp-limits' });
    gateways.push(gw);
    return gw;
  };
  after(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
  });

  it('limits.sessions: beyond it initialize gets 503 + Retry-After and a JSON-RPC error; a freed place is reusable', async () => {
    const { stdio } = stdioTarget();
    const gw = await boot(yaml(stdio, '{ sessions: 2 }'));
    const url = `${gw.url}/mcp`;
    const a = await post(url, initBody(1));
    const b = await post(url, initBody(2));
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    const c = await post(url, initBody(3));
    assert.equal(c.status, 503);
    assert.equal(c.headers['retry-after'], '5');
    assert.equal(c.body.id, 3);
    assert.equal(rpcError(c)?.code, -32000);
    assert.match(rpcError(c)?.message ?? '', /session limit \(2\) reached/);
    assert.equal(
      await metric(gw.statsUrl, 'portcullis_mcp_limit_rejections_total', { limit: 'sessions' }),
      1,
    );
    assert.equal(await del(url, String(a.headers['mcp-session-id'])), 204);
    assert.equal((await post(url, initBody(4))).status, 200);
  });

  it('a reload applies new limits to the next session', async () => {
    const { stdio } = stdioTarget();
    const gw = await boot(yaml(stdio, '{ sessions: 1 }'));
    const url = `${gw.url}/mcp`;
    assert.equal((await post(url, initBody(1))).status, 200);
    assert.equal((await post(url, initBody(2))).status, 503);
    gw.writeConfig(yaml(stdio, '{ sessions: 2 }'));
    const status = await gw.portcullis.gateway.reload();
    assert.equal(status.ok, true, JSON.stringify(status));
    assert.equal((await post(url, initBody(3))).status, 200);
    assert.equal((await post(url, initBody(4))).status, 503);
  });

  it('limits.sessionsPerIdentity: anonymous callers are counted per source address (429 + Retry-After)', async () => {
    const { stdio } = stdioTarget();
    const gw = await boot(yaml(stdio, '{ sessionsPerIdentity: 2 }'));
    const url = `${gw.url}/mcp`;
    for (const id of [1, 2]) assert.equal((await post(url, initBody(id))).status, 200);
    const third = await post(url, initBody(3));
    assert.equal(third.status, 429);
    assert.equal(third.headers['retry-after'], '5');
    assert.equal(rpcError(third)?.code, -32000);
    assert.match(rpcError(third)?.message ?? '', /per caller \(2\)/);
    // Another source address is another caller.
    const other = await post(url, initBody(4), {}, OTHER);
    assert.equal(other.status, 200, JSON.stringify(other.body));
    assert.equal(
      await metric(gw.statsUrl, 'portcullis_mcp_limit_rejections_total', { limit: 'sessionsPerIdentity' }),
      1,
    );
    assert.equal(await metric(gw.statsUrl, 'portcullis_mcp_session_callers'), 2);
  });

  it('limits.stdioChildrenPerTarget: the next initialize is refused naming the target and the limit; children stay at the cap', async () => {
    const { stdio, tag } = stdioTarget();
    const gw = await boot(yaml(stdio, '{ stdioChildrenPerTarget: 2 }'));
    const url = `${gw.url}/mcp`;
    const a = await post(url, initBody(1));
    assert.equal(a.status, 200);
    assert.equal((await post(url, initBody(2))).status, 200);
    const third = await post(url, initBody(3));
    assert.equal(third.status, 503);
    assert.equal(third.body.id, 3);
    assert.deepEqual(rpcError(third), {
      code: -32000,
      message: 'target "limits": stdio process limit (2) reached',
    });
    assert.equal(countProcs(tag), 2);
    assert.equal(await metric(gw.statsUrl, 'portcullis_stdio_children', { target: 'limits' }), 2);
    assert.equal(
      await metric(gw.statsUrl, 'portcullis_mcp_limit_rejections_total', {
        limit: 'stdioChildrenPerTarget',
        target: 'limits',
      }),
      1,
    );
    // Closing a session gives its place back.
    assert.equal(await del(url, String(a.headers['mcp-session-id'])), 204);
    assert.ok(await until(() => countProcs(tag) === 1), 'the closed session’s child exits');
    assert.equal((await post(url, initBody(4))).status, 200);
    assert.equal(countProcs(tag), 2);
  });

  it('limits.pendingRequestsPerSession: one request too many gets 429 and a JSON-RPC error; the others complete', async () => {
    const { stdio } = stdioTarget();
    const gw = await boot(yaml(stdio, '{ pendingRequestsPerSession: 2 }'));
    const url = `${gw.url}/mcp`;
    const init = await post(url, initBody(1));
    const session = { 'mcp-session-id': String(init.headers['mcp-session-id']) };
    await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, session);
    const slow = [
      post(url, call(2, 'wait', { ms: 1500 }), session),
      post(url, call(3, 'wait', { ms: 1500 }), session),
    ];
    assert.ok(await until(async () => (await metric(gw.statsUrl, 'portcullis_mcp_pending_requests')) === 2));
    const over = await post(url, call(4, 'big', { bytes: 1 }), session);
    assert.equal(over.status, 429);
    assert.equal(over.body.id, 4);
    assert.equal(rpcError(over)?.code, -32000);
    assert.match(rpcError(over)?.message ?? '', /too many requests in flight \(limit 2\)/);
    for (const r of await Promise.all(slow)) assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal((await post(url, call(5, 'big', { bytes: 1 }), session)).status, 200);
    assert.equal(
      await metric(gw.statsUrl, 'portcullis_mcp_limit_rejections_total', {
        limit: 'pendingRequestsPerSession',
      }),
      1,
    );
  });

  it('limits.pendingRequestsPerSession also bounds a stateless caller', async () => {
    const { stdio } = stdioTarget();
    const gw = await boot(
      yaml(stdio, '{ pendingRequestsPerSession: 1 }').replace(
        '      - mcp:\n',
        '      - mcp:\n          statefulMode: stateless\n',
      ),
    );
    const url = `${gw.url}/mcp`;
    const slow = post(url, call(1, 'wait', { ms: 1500 }));
    assert.ok(await until(async () => (await metric(gw.statsUrl, 'portcullis_mcp_pending_requests')) === 1));
    const over = await post(url, call(2, 'big', { bytes: 1 }));
    assert.equal(over.status, 429);
    assert.equal(rpcError(over)?.code, -32000);
    // Another caller is not held back by this one.
    assert.equal((await post(url, call(3, 'big', { bytes: 1 }), {}, OTHER)).status, 200);
    assert.equal((await slow).status, 200);
  });

  it('limits.sessionIdleTimeout: a session with no stream and no request is closed and its child reaped', async () => {
    const { stdio, tag } = stdioTarget();
    const gw = await boot(yaml(stdio, '{ sessionIdleTimeout: 500ms }'));
    const url = `${gw.url}/mcp`;
    const init = await post(url, initBody(1));
    assert.equal(init.status, 200);
    assert.equal(countProcs(tag), 1);
    assert.ok(await until(() => countProcs(tag) === 0), 'the idle session’s child is reaped');
    const late = await post(url, call(2, 'big', { bytes: 1 }), {
      'mcp-session-id': String(init.headers['mcp-session-id']),
    });
    assert.equal(late.status, 404);
    assert.equal(await metric(gw.statsUrl, 'portcullis_mcp_sessions_expired_total'), 1);
    assert.equal(await metric(gw.statsUrl, 'portcullis_mcp_sessions_active'), 0);
  });
});
