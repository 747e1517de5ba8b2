/**
 * Readiness and target status reflect reality: a stdio target whose command cannot start turns the
 * readiness probe to 503 naming it, and the admin summary marks it failing (landscape #22: supervisors
 * must see a dead child).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startGateway } from '../helpers/gateway.js';

test('a stdio target that cannot start: JSON-RPC error naming it, readiness 503, status failing; ready again once a reload removes it', async (t) => {
  const gw = await startGateway(
    `binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
          targets:
          - name: broken
            stdio: {cmd: no-such-binary-for-portcullis-tests}
`,
    { name: 'readiness', watch: true },
  );
  t.after(() => gw.stop());
  const ready = await fetch(`${gw.readinessUrl}/healthz/ready`);
  assert.equal(ready.status, 200, 'ready: config loaded and the listener bound');
  assert.equal(await ready.text(), 'ready\n');

  const r = await fetch(`${gw.url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    }),
  });
  const body = (await r.json()) as { id: number; error: { code: number; message: string } };
  assert.equal(body.id, 1);
  assert.equal(body.error.code, -32603);
  assert.equal(
    body.error.message,
    'target "broken" failed: cannot start "no-such-binary-for-portcullis-tests": command not found (ENOENT)',
  );

  const after = await fetch(`${gw.readinessUrl}/healthz/ready`);
  assert.equal(after.status, 503);
  assert.match(await after.text(), /not ready, pending: target broken: cannot start/);
  const summary = (await (await fetch(`${gw.adminUrl}/api/summary`)).json()) as {
    targets: { name: string; status: string; error?: string }[];
  };
  const broken = summary.targets.find((x) => x.name === 'broken');
  assert.equal(broken?.status, 'failing');
  assert.match(broken?.error ?? '', /command not found/);

  // A reload that removes the broken target makes the gateway ready again.
  gw.writeConfig(`binds:
- port: 0
  listeners:
  - routes:
    - policies:
        directResponse: {status: 200, body: "gone"}
`);
  await eventually(async () => (await fetch(`${gw.readinessUrl}/healthz/ready`)).status === 200, 5000);
  const summary2 = (await (await fetch(`${gw.adminUrl}/api/summary`)).json()) as { targets: unknown[] };
  assert.deepEqual(summary2.targets, []);
});
