/**
 * Graceful shutdown (Portcullis.stop() and SIGTERM/SIGINT on the real binary): stop accepting, let
 * in-flight requests finish until config.connectionTerminationDeadline, then answer what still runs
 * with a JSON-RPC error instead of an empty reply; the access log records what the client got; a
 * second signal exits at once.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFlakyServer } from '../fixtures/flaky-server.js';
import { serveHttp, type ServedFixture } from '../fixtures/serve.js';
import { launchCli } from '../helpers/cli.js';
import { eventually, startGateway } from '../helpers/gateway.js';
import { connect } from '../helpers/mcp-client.js';

const config = (upstream: string, deadline: string, port = 0) => `config:
  connectionTerminationDeadline: ${deadline}
binds:
- port: ${port}
  listeners:
  - routes:
    - backends:
      - mcp:
          targets:
          - name: flaky
            mcp: {host: "${upstream}"}
`;

const callsInFlight = (f: ServedFixture) => f.requests.filter((r) => r.rpcMethod === 'tools/call').length;

describe('graceful shutdown', () => {
  let flaky: ServedFixture;
  before(async () => {
    flaky = await serveHttp(createFlakyServer);
  });
  after(() => flaky.close());

  test('stop(): a call still running at the deadline gets a JSON-RPC "gateway shutting down", logged as such', async () => {
    const gw = await startGateway(config(flaky.url, '300ms'), { name: 'shutdown' });
    const client = await connect(`${gw.url}/mcp`);
    const seen = callsInFlight(flaky);
    const call = client.callTool({ name: 'hang', arguments: {} });
    await eventually(() => callsInFlight(flaky) > seen);
    const stopped = gw.stop();
    await assert.rejects(call, /gateway shutting down/);
    await stopped;
    const line = gw.logs.find((l) => l['http.method'] === 'POST' && l.error === 'gateway shutting down');
    assert.ok(line, JSON.stringify(gw.logs.slice(-5)));
    assert.equal(line['http.status'], 503);
    assert.equal(line.error, 'gateway shutting down');
    await client.close().catch(() => undefined);
  });

  test('stop(): a call that ends within the deadline completes normally', async () => {
    const gw = await startGateway(config(flaky.url, '10s'), { name: 'shutdown-drain' });
    const client = await connect(`${gw.url}/mcp`);
    const seen = callsInFlight(flaky);
    const call = client.callTool({ name: 'slow', arguments: { ms: 400 } });
    await eventually(() => callsInFlight(flaky) > seen);
    const stopped = gw.stop();
    const r = await call;
    assert.match(JSON.stringify(r.content), /slept 400 ms/);
    await stopped;
    // New connections are refused once stop() began.
    await assert.rejects(fetch(`${gw.url}/mcp`));
    await client.close().catch(() => undefined);
  });
});

describe('graceful shutdown of the real binary', () => {
  let flaky: ServedFixture;
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-shutdown-'));
  before(async () => {
    flaky = await serveHttp(createFlakyServer);
  });
  after(async () => {
    await flaky.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('SIGTERM: the in-flight call gets a JSON-RPC error, the access log says 503, exit 0', async () => {
    const file = join(dir, 'term.yaml');
    writeFileSync(file, config(flaky.url, '300ms'));
    const p = await launchCli(['-f', file]);
    try {
      const client = await connect(`http://127.0.0.1:${p.port}/mcp`);
      const seen = callsInFlight(flaky);
      const call = client.callTool({ name: 'hang', arguments: {} });
      await eventually(() => callsInFlight(flaky) > seen);
      p.child.kill('SIGTERM');
      await assert.rejects(call, /gateway shutting down/);
      assert.equal(await p.exited, 0);
      const log = p
        .stdout()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l['http.method'] === 'POST' && l.error === 'gateway shutting down');
      assert.equal(log?.['http.status'], 503, p.stdout().slice(-2000));
    } finally {
      p.child.kill('SIGKILL');
    }
  });

  test('a second signal exits at once, without waiting for the drain', async () => {
    const file = join(dir, 'twice.yaml');
    writeFileSync(file, config(flaky.url, '1h'));
    const p = await launchCli(['-f', file]);
    try {
      const client = await connect(`http://127.0.0.1:${p.port}/mcp`);
      const seen = callsInFlight(flaky);
      void client.callTool({ name: 'hang', arguments: {} }).catch(() => undefined);
      await eventually(() => callsInFlight(flaky) > seen);
      p.child.kill('SIGTERM');
      await eventually(() => /draining and stopping/.test(p.stderr()));
      p.child.kill('SIGINT');
      assert.equal(await p.exited, 1);
      assert.match(p.stderr(), /SIGINT again, exiting now/);
    } finally {
      p.child.kill('SIGKILL');
    }
  });
});
