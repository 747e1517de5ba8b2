/**
 * The seed page's promise, end to end through the real gateway with the seed's own tokens:
 * `echo` for anyone, `get-sum` (the seed's `add`) for sub == test-user, `get-env` (the seed's
 * `printEnv`) for tokens with nested.key == "value" — and a caller never sees what it may not call.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { connect, toolNames } from '../helpers/mcp-client.js';

const fixture = (n: string) => resolve('test/fixtures/seed-jwt', n);
const EXAMPLE1 = readFileSync(fixture('example1.key'), 'utf8').trim();
const EXAMPLE2 = readFileSync(fixture('example2.key'), 'utf8').trim();

/** The quickstart config with the seed's key and port 0. */
function quickstartYaml(): string {
  return readFileSync('examples/quickstart/config.yaml', 'utf8')
    .replace('port: 3000', 'port: 0')
    .replace('../../manifests/jwt/pub-key', fixture('pub-key'));
}

describe('seed scenario (quickstart config, server-everything over stdio)', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway(quickstartYaml(), {
      env: { PORTCULLIS_ROOT: process.cwd() },
      name: 'seed',
    });
  });
  after(() => gw.stop());

  for (const transport of ['streamable', 'sse'] as const) {
    const path = transport === 'sse' ? '/sse' : '/mcp';
    test(`${transport}: no token sees only echo`, async () => {
      const c = await connect(gw.url + path, { transport });
      assert.deepEqual(await toolNames(c), ['echo']);
      await c.close();
    });

    test(`${transport}: example2 (sub=test-user) sees echo and get-sum`, async () => {
      const c = await connect(gw.url + path, { transport, token: EXAMPLE2 });
      assert.deepEqual(await toolNames(c), ['echo', 'get-sum']);
      await c.close();
    });

    test(`${transport}: example1 (nested.key=value) also sees get-env`, async () => {
      const c = await connect(gw.url + path, { transport, token: EXAMPLE1 });
      assert.deepEqual(await toolNames(c), ['echo', 'get-env', 'get-sum']);
      await c.close();
    });
  }

  test('allowed calls reach the upstream', async () => {
    const c = await connect(gw.url + '/mcp', { token: EXAMPLE2 });
    const echo = await c.callTool({ name: 'echo', arguments: { message: 'hello seed' } });
    assert.match(JSON.stringify(echo.content), /hello seed/);
    const sum = await c.callTool({ name: 'get-sum', arguments: { a: 40, b: 2 } });
    assert.match(JSON.stringify(sum.content), /42/);
    await c.close();
  });

  const denied: [string, string | undefined, string][] = [
    ['no token → get-sum', undefined, 'get-sum'],
    ['no token → get-env', undefined, 'get-env'],
    ['example2 → get-env', EXAMPLE2, 'get-env'],
    ['anyone → a tool that does not exist', EXAMPLE1, 'no-such-tool'],
  ];
  for (const [name, token, tool] of denied) {
    test(`denied call answers -32602 Unknown tool, like a missing tool: ${name}`, async () => {
      const c = await connect(gw.url + '/mcp', token ? { token } : {});
      await assert.rejects(
        c.callTool({ name: tool, arguments: {} }),
        (e: unknown) =>
          e instanceof McpError && e.code === -32602 && e.message.includes(`Unknown tool: ${tool}`),
      );
      await c.close();
    });
  }

  test('an invalid token is rejected with 401 and a reason (optional mode)', async () => {
    const r = await fetch(`${gw.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `bearer ${EXAMPLE1.slice(0, -4)}AAAA`,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    assert.equal(r.status, 401);
    assert.match(r.headers.get('www-authenticate') ?? '', /Bearer realm="portcullis", error="invalid_token"/);
    assert.match(await r.text(), /signature invalid/);
  });

  test('the access log shows the denied call with its decision and never the token', async () => {
    const from = gw.logs.length;
    const c = await connect(gw.url + '/mcp', { token: EXAMPLE2 });
    await assert.rejects(c.callTool({ name: 'get-env', arguments: {} }));
    await c.close();
    const line = gw.logs
      .slice(from)
      .find((l) => l['mcp.method'] === 'tools/call' && l['authz.decision'] === 'deny');
    assert.ok(line, 'a deny line exists');
    assert.equal(line['jwt.sub'], 'test-user');
    assert.equal(line['mcp.resource.name'], 'get-env');
    assert.doesNotMatch(JSON.stringify(gw.logs), new RegExp(EXAMPLE2.slice(20, 60)));
  });
});

describe('portcullis explain', () => {
  test('lists every tool with allowed/denied and the deciding rule for a token', () => {
    const dir = spawnSync('mktemp', ['-d'], { encoding: 'utf8' }).stdout.trim();
    const file = `${dir}/config.yaml`;
    spawnSync('sh', ['-c', `cat > ${file}`], { input: quickstartYaml() });
    const r = spawnSync(
      process.execPath,
      ['bin/portcullis.js', 'explain', '-f', file, '--token', fixture('example2.key')],
      {
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, PORTCULLIS_ROOT: process.cwd() },
      },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /identity: .*"sub":"test-user"/);
    assert.match(r.stdout, /ALLOW tool +echo +allowed by rules\[0\]/);
    assert.match(r.stdout, /ALLOW tool +get-sum +allowed by rules\[1\]/);
    assert.match(r.stdout, /DENY +tool +get-env /);
  });
});
