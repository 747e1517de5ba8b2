/**
 * Long-running exhaustion (`npm run test:stress`): 2,000 anonymous `initialize` over Streamable HTTP from
 * 20 source addresses, then 300 legacy SSE sessions opened, initialized and dropped mid-way, with the
 * default limits except a short idle timeout. Children (ps) and sessions (/metrics) stay within the
 * limits throughout, every refusal is a clean JSON-RPC error, and everything is reaped at the end.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { LIMIT_DEFAULTS } from '../../src/config/normalize-limits.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { countProcs, initBody, metric, post, stdioTarget, until } from '../mcp/limits-helpers.js';

const TOTAL = 2000;
const PARALLEL = 50;
const SOURCES = Array.from({ length: 20 }, (_, i) => `127.0.1.${i + 1}`);

describe('stress: MCP exhaustion with the default limits', () => {
  let gw: TestGateway | undefined;
  after(() => gw?.stop());

  it('2,000 initialize and 300 dropped legacy SSE sessions stay within the limits and are reaped', async (t) => {
    const { stdio, tag } = stdioTarget(['--init-delay-ms', '50']);
    gw = await startGateway(
      `
config:
  limits: { sessionIdleTimeout: 2s }
binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
          targets:
          - name: limits
            stdio: ${stdio}
`,
      { name: 'stress-mcp-exhaustion' },
    );
    const url = `${gw.url}/mcp`;
    const statuses = new Map<number, number>();
    let peakChildren = 0;
    for (let i = 0; i < TOTAL; i += PARALLEL) {
      const replies = await Promise.all(
        Array.from({ length: PARALLEL }, (_, k) =>
          post(url, initBody(i + k), {}, SOURCES[(i + k) % SOURCES.length]),
        ),
      );
      for (const [k, r] of replies.entries()) {
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        assert.ok([200, 429, 503].includes(r.status), `status ${r.status}`);
        assert.equal(r.body.id, i + k);
        if (r.status !== 200) assert.equal((r.body.error as { code: number }).code, -32000);
      }
      peakChildren = Math.max(peakChildren, countProcs(tag));
    }
    // Legacy SSE: open, initialize, drop the stream while the target starts.
    for (let i = 0; i < 300; i += 30) {
      await Promise.all(
        Array.from({ length: 30 }, async () => {
          const ac = new AbortController();
          const res = await fetch(`${gw!.url}/sse`, {
            headers: { accept: 'text/event-stream' },
            signal: ac.signal,
          });
          if (res.status !== 200) {
            await res.text();
            return;
          }
          const reader = (res.body as ReadableStream<Uint8Array>).getReader();
          const first = new TextDecoder().decode((await reader.read()).value);
          const endpoint = /data: ([^\n]+)/.exec(first)?.[1];
          if (endpoint)
            await fetch(`${gw!.url}${endpoint}`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(initBody(1)),
            }).then((r) => r.text());
          ac.abort();
        }),
      );
      peakChildren = Math.max(peakChildren, countProcs(tag));
    }
    t.diagnostic(`statuses ${JSON.stringify(Object.fromEntries(statuses))}, peak children ${peakChildren}`);
    assert.ok(peakChildren <= LIMIT_DEFAULTS.stdioChildrenPerTarget, `children peaked at ${peakChildren}`);
    assert.ok(await until(() => countProcs(tag) === 0, 60_000), `children left: ${countProcs(tag)}`);
    assert.ok(
      await until(async () => (await metric(gw!.statsUrl, 'portcullis_mcp_sessions_active')) === 0, 60_000),
    );
    assert.equal((await post(url, initBody('after'))).status, 200);
  });
});
