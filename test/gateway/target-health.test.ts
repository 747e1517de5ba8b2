/**
 * Target health comes from the gateway's own probes, keyed by backend and target: a refused port shows
 * failing (admin status and `portcullis_target_up`) while readiness stays 200 unless
 * `config.readiness.requireTargets` is on; a cancelled client call changes nothing; a fixing reload turns
 * a target healthy without any client traffic; same-named targets of two backends have their own status.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createFlakyServer } from '../fixtures/flaky-server.js';
import { serveHttp } from '../fixtures/serve.js';
import { fixtureStdio, freePort } from '../fixtures/spawn.js';
import { eventually, startGateway, type TestGateway } from '../helpers/gateway.js';

interface SummaryTarget {
  name: string;
  backend: string;
  status: string;
  error?: string;
}

async function targets(gw: TestGateway): Promise<SummaryTarget[]> {
  const s = (await (await fetch(`${gw.adminUrl}/api/summary`)).json()) as { targets: SummaryTarget[] };
  return s.targets;
}

async function metric(gw: TestGateway, series: string): Promise<number | undefined> {
  const text = await (await fetch(`${gw.statsUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function readiness(gw: TestGateway): Promise<number> {
  return (await fetch(`${gw.readinessUrl}/healthz/ready`)).status;
}

function config(targetsYaml: string, readiness = ''): string {
  return `${readiness}binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
          targets:
${targetsYaml}`;
}

test('a target at a refused port: failing in status and metric with its code, readiness 200 by default', async (t) => {
  const port = await freePort();
  const gw = await startGateway(
    config(`          - name: down
            mcp: {host: "http://127.0.0.1:${port}/mcp"}
`),
    { name: 'health-refused' },
  );
  t.after(() => gw.stop());
  const down = await eventually(
    async () => (await targets(gw)).find((x) => x.name === 'down' && x.status === 'failing'),
    10_000,
  );
  assert.equal(down.error, 'connection refused');
  const backend = down.backend;
  assert.equal(await metric(gw, `portcullis_target_up{backend="${backend}",target="down"}`), 0);
  const refused = await metric(
    gw,
    `portcullis_target_probes_total{backend="${backend}",target="down",code="UPSTREAM_CONNECT_REFUSED"}`,
  );
  assert.ok(refused !== undefined && refused >= 1, `probe counter by code: ${refused}`);
  assert.equal(await readiness(gw), 200);
});

test('readiness.requireTargets: a failing target holds readiness back, naming it', async (t) => {
  const port = await freePort();
  const gw = await startGateway(
    config(
      `          - name: down
            mcp: {host: "http://127.0.0.1:${port}/mcp"}
`,
      'config:\n  readiness: {requireTargets: true}\n',
    ),
    { name: 'health-require' },
  );
  t.after(() => gw.stop());
  await eventually(async () => (await readiness(gw)) === 503, 10_000);
  const text = await (await fetch(`${gw.readinessUrl}/healthz/ready`)).text();
  assert.match(text, /^not ready, pending: target down \(.+\): connection refused\n$/);
});

test('a cancelled client call leaves target health and readiness unchanged', async (t) => {
  const flaky = await serveHttp(createFlakyServer);
  t.after(() => flaky.close());
  const gw = await startGateway(
    config(`          - name: flaky
            mcp: {host: "${flaky.url}"}
`),
    { name: 'health-cancel' },
  );
  t.after(() => gw.stop());
  const client = new Client({ name: 'cancel', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`)));
  t.after(() => client.close());
  await client.callTool({ name: 'slow', arguments: { ms: 0 } });
  await eventually(async () => (await targets(gw)).find((x) => x.status === 'ok'), 10_000);

  const ac = new AbortController();
  const call = client.callTool({ name: 'hang', arguments: {} }, undefined, { signal: ac.signal });
  // The call reached the upstream before it is cancelled.
  await eventually(() => flaky.requests.some((r) => r.rpcMethod === 'tools/call'), 10_000);
  ac.abort();
  await assert.rejects(call);
  // The gateway forwards the cancellation upstream; by then the cancelled call has been accounted for.
  await eventually(() => flaky.requests.some((r) => r.rpcMethod === 'notifications/cancelled'), 10_000);
  const after = (await targets(gw)).find((x) => x.name === 'flaky');
  assert.equal(after?.status, 'ok');
  assert.equal(await readiness(gw), 200);
  // The gateway still serves the target.
  const r = await client.callTool({ name: 'slow', arguments: { ms: 0 } });
  assert.deepEqual(r.content, [{ type: 'text', text: 'slept 0 ms' }]);
});

test('a fixing reload turns a failing target healthy without any client traffic', async (t) => {
  const port = await freePort();
  const gw = await startGateway(
    config(`          - name: api
            mcp: {host: "http://127.0.0.1:${port}/mcp"}
`),
    { name: 'health-reload', watch: true },
  );
  t.after(() => gw.stop());
  await eventually(async () => (await targets(gw)).find((x) => x.status === 'failing'), 10_000);

  const flaky = await serveHttp(createFlakyServer);
  t.after(() => flaky.close());
  gw.writeConfig(
    config(`          - name: api
            mcp: {host: "${flaky.url}"}
`),
  );
  const ok = await eventually(
    async () => (await targets(gw)).find((x) => x.name === 'api' && x.status === 'ok'),
    10_000,
  );
  assert.equal(await metric(gw, `portcullis_target_up{backend="${ok.backend}",target="api"}`), 1);
  // Only the probe talked to the upstream (no client ever called the gateway): a handshake, no calls.
  assert.ok(flaky.requests.some((r) => r.rpcMethod === 'initialize'));
  assert.ok(!flaky.requests.some((r) => r.rpcMethod === 'tools/list' || r.rpcMethod === 'tools/call'));
});

test('same-named targets of two backends keep separate health', async (t) => {
  const flaky = await serveHttp(createFlakyServer);
  t.after(() => flaky.close());
  const port = await freePort();
  const gw = await startGateway(
    `binds:
- port: 0
  listeners:
  - routes:
    - name: good
      matches: [{path: {pathPrefix: /good}}]
      backends:
      - mcp:
          targets:
          - name: db
            mcp: {host: "${flaky.url}"}
    - name: bad
      matches: [{path: {pathPrefix: /bad}}]
      backends:
      - mcp:
          targets:
          - name: db
            mcp: {host: "http://127.0.0.1:${port}/mcp"}
`,
    { name: 'health-same-name' },
  );
  t.after(() => gw.stop());
  const both = await eventually(async () => {
    const dbs = (await targets(gw)).filter((x) => x.name === 'db');
    return dbs.length === 2 && dbs.every((x) => x.status !== 'idle') ? dbs : undefined;
  }, 10_000);
  const statuses = both.map((x) => x.status).sort();
  assert.deepEqual(statuses, ['failing', 'ok']);
  assert.notEqual(both[0]!.backend, both[1]!.backend);
  const bad = both.find((x) => x.status === 'failing')!;
  assert.match(bad.backend, /bad/);
  assert.equal(await metric(gw, `portcullis_target_up{backend="${bad.backend}",target="db"}`), 0);
});

test('a stdio child that exits on its own is failing, then healthy again by its own probe (no client traffic)', async (t) => {
  const { cmd, args } = fixtureStdio('flaky-server.ts');
  const gw = await startGateway(
    config(`          - name: kid
            stdio: {cmd: "${cmd}", args: ${JSON.stringify(args)}}
`),
    { name: 'health-stdio-exit' },
  );
  t.after(() => gw.stop());
  assert.equal((await targets(gw))[0]?.status, 'idle', 'a stdio target is not spawned just to look at it');
  const client = new Client({ name: 'crash', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`)));
  t.after(() => client.close());
  await eventually(async () => (await targets(gw))[0]?.status === 'ok', 10_000);
  await assert.rejects(client.callTool({ name: 'die', arguments: { code: 3 } }));
  const failing = await eventually(
    async () => (await targets(gw)).find((x) => x.status === 'failing'),
    10_000,
  );
  assert.equal(failing.error, 'exited with code 3');
  // The backoff probe spawns it again and completes a handshake: healthy without any client request.
  await eventually(async () => (await targets(gw))[0]?.status === 'ok', 15_000);
});
