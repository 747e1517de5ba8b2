/**
 * `explain` (GET /api/explain, `portcullis explain`) runs through the gateway's own target connection
 * code: an upstream that speaks only 2026-07-28 is listed through the `server/discover` fallback, a
 * target's static `tools` filter hides tools for everyone, and exposed names are the multiplexer's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExplainResult } from '../../src/admin/api.js';
import { createFlakyServer } from '../fixtures/flaky-server.js';
import { startModernOnlyServer } from '../fixtures/modern-only-server.js';
import { serveHttp } from '../fixtures/serve.js';
import { startGateway } from '../helpers/gateway.js';

test('explain: server/discover fallback, the target tools filter, multiplexed names', async (t) => {
  const modern = await startModernOnlyServer();
  t.after(() => modern.close());
  const flaky = await serveHttp(createFlakyServer);
  t.after(() => flaky.close());
  const gw = await startGateway(
    `binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
          targets:
          - name: modern
            mcp: {host: "${modern.url}"}
          - name: flaky
            mcp: {host: "${flaky.url}"}
            tools: {include: ["slow", "hang"], exclude: ["hang"]}
`,
    { name: 'explain' },
  );
  t.after(() => gw.stop());
  const res = await fetch(`${gw.adminUrl}/api/explain`);
  assert.equal(res.status, 200);
  const r = (await res.json()) as ExplainResult;
  assert.equal(r.targetErrors, undefined, JSON.stringify(r.targetErrors));
  const byName = new Map(r.items.map((i) => [i.exposedName, i]));
  // The 2026-only upstream was listed (initialize refused → server/discover), its tool prefixed.
  assert.equal(byName.get('modern_echo')?.allowed, true);
  assert.equal(byName.get('modern_echo')?.name, 'echo');
  assert.ok(modern.received.some((m) => m.method === 'server/discover'));
  // The tools filter: included and allowed; excluded and hidden; outside `include`, hidden.
  assert.equal(byName.get('flaky_slow')?.allowed, true);
  assert.equal(byName.get('flaky_hang')?.allowed, false);
  assert.match(byName.get('flaky_hang')?.reason ?? '', /tools filter/);
  assert.equal(byName.get('flaky_die')?.allowed, false);
  assert.match(byName.get('flaky_die')?.reason ?? '', /tools filter/);
});
