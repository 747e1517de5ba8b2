/**
 * Readiness and target status reflect reality: a stdio target whose command cannot start is marked
 * failing in the admin summary (supervisors must see a dead child) while readiness — config loaded and
 * listeners up — stays 200; a reload that fixes the command makes it healthy without client traffic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startGateway } from '../helpers/gateway.js';

const TINY = new URL('../mcp/tiny-stdio-server.mjs', import.meta.url).pathname;

test('a stdio target that cannot start: JSON-RPC error naming it, status failing, readiness 200; a fixing reload heals it without traffic; removed, it is forgotten', async (t) => {
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
  assert.equal(after.status, 200, 'a failing target does not gate readiness by default');
  const summary = (await (await fetch(`${gw.adminUrl}/api/summary`)).json()) as {
    targets: { name: string; status: string; error?: string }[];
  };
  const broken = summary.targets.find((x) => x.name === 'broken');
  assert.equal(broken?.status, 'failing');
  assert.match(broken?.error ?? '', /command not found/);

  // A reload that fixes the command: probed at once (no client traffic), healthy.
  gw.writeConfig(`binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
          targets:
          - name: broken
            stdio: {cmd: "${process.execPath}", args: ["${TINY}"]}
`);
  await eventually(async () => {
    const s = (await (await fetch(`${gw.adminUrl}/api/summary`)).json()) as {
      targets: { name: string; status: string }[];
    };
    return s.targets.find((x) => x.name === 'broken')?.status === 'ok';
  }, 10_000);

  // A reload that removes the target: it is forgotten.
  gw.writeConfig(`binds:
- port: 0
  listeners:
  - routes:
    - policies:
        directResponse: {status: 200, body: "gone"}
`);
  await eventually(async () => {
    const s = (await (await fetch(`${gw.adminUrl}/api/summary`)).json()) as { targets: unknown[] };
    return s.targets.length === 0;
  }, 5000);
  assert.equal((await fetch(`${gw.readinessUrl}/healthz/ready`)).status, 200);
});
