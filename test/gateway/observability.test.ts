/**
 * Observability through the real gateway: access-log lines asserted field by field for an
 * allowed and a denied call; /metrics scraped after a scripted set of calls with exact counter values.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { connect } from '../helpers/mcp-client.js';

const EVERYTHING = resolve('node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const fixture = (n: string) => resolve('test/fixtures/seed-jwt', n);
const EXAMPLE2 = readFileSync(fixture('example2.key'), 'utf8').trim();

const YAML = `binds:
- port: 0
  listeners:
  - name: main
    routes:
    - name: mcp
      policies:
        jwtAuth:
          issuer: agentgateway.dev
          audiences: [test.agentgateway.dev]
          jwks: {file: ${fixture('pub-key')}}
        mcpAuthorization:
          rules:
          - 'mcp.tool.name == "echo"'
          - 'jwt.sub == "test-user" && mcp.tool.name == "get-sum"'
      backends:
      - mcp:
          targets:
          - name: everything
            stdio: {cmd: node, args: ["${EVERYTHING}", "stdio"]}
`;

function metric(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(name + ' ') && Object.keys(labels).length === 0)
      return Number(line.slice(name.length + 1));
    if (!line.startsWith(name + '{')) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf('}'));
    const got = Object.fromEntries([...body.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('observability through the gateway', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway(YAML, { name: 'observability' });
  });
  after(() => gw.stop());

  test('access log: one line per MCP message, field by field, for an allowed and a denied call', async () => {
    const from = gw.logs.length;
    const c = await connect(`${gw.url}/mcp`, { token: EXAMPLE2 });
    await c.callTool({ name: 'echo', arguments: { message: 'hi' } });
    await assert.rejects(c.callTool({ name: 'get-env', arguments: {} }));
    await c.close();
    const lines = gw.logs.slice(from).filter((l) => l.msg === 'request');
    const allowed = lines.find((l) => l['mcp.method'] === 'tools/call' && l['mcp.resource.name'] === 'echo');
    const denied = lines.find(
      (l) => l['mcp.method'] === 'tools/call' && l['mcp.resource.name'] === 'get-env',
    );
    assert.ok(allowed && denied, JSON.stringify(lines, null, 1));
    for (const [line, decision, status] of [
      [allowed, 'allow', 200],
      [denied, 'deny', 200],
    ] as const) {
      assert.equal(line.listener, 'main/bind/0');
      assert.match(String(line.route), /main\/bind\/0\/mcp\/default$/);
      assert.equal(line['http.method'], 'POST');
      assert.equal(line['http.path'], '/mcp');
      assert.equal(line['http.status'], status);
      assert.equal(line['jwt.sub'], 'test-user');
      assert.equal(line['mcp.target'], 'everything');
      assert.equal(line['mcp.resource.type'], 'tool');
      assert.equal(line['mcp.tool.name'], line['mcp.resource.name']);
      assert.equal(typeof line['mcp.session'], 'string');
      assert.equal(line['authz.decision'], decision);
      assert.match(String(line.duration), /^\d+(\.\d+)?ms$/);
      assert.match(String(line['src.addr']), /^127\.0\.0\.1:\d+$/);
    }
    assert.match(String(allowed['authz.rule']), /^rules\[0\] \(allow\): mcp\.tool\.name == "echo"$/);
    assert.match(String(denied['authz.rule']), /no rule allowed it/);
    const all = JSON.stringify(gw.logs);
    assert.ok(!all.includes(EXAMPLE2), 'the token never appears in the log');
  });

  test('/metrics after a scripted set of calls: exact counter values', async () => {
    const c = await connect(`${gw.url}/mcp`, { token: EXAMPLE2 });
    const before = await (await fetch(`${gw.statsUrl}/metrics`)).text();
    const base = (labels: Record<string, string>) =>
      metric(before, 'portcullis_mcp_requests_total', labels) ?? 0;
    const echoAllowed = { method: 'tools/call', target: 'everything', resource: 'echo', decision: 'allow' };
    const envDenied = { method: 'tools/call', target: 'everything', resource: 'get-env', decision: 'deny' };
    const e0 = base(echoAllowed);
    const d0 = base(envDenied);
    await c.listTools();
    for (let i = 0; i < 3; i++) await c.callTool({ name: 'echo', arguments: { message: `m${i}` } });
    for (let i = 0; i < 2; i++) await assert.rejects(c.callTool({ name: 'get-env', arguments: {} }));
    await c.close();
    const text = await (await fetch(`${gw.statsUrl}/metrics`)).text();
    assert.equal(metric(text, 'portcullis_mcp_requests_total', echoAllowed), e0 + 3);
    assert.equal(metric(text, 'portcullis_mcp_requests_total', envDenied), d0 + 2);
    assert.ok(
      (metric(text, 'portcullis_requests_total', { route: 'main/bind/0/mcp/default', status: '200' }) ?? 0) >=
        6,
    );
    assert.equal(metric(text, 'portcullis_config_last_reload_success', {}), 1);
    assert.match(text, /^portcullis_build_info\{/m);
  });
});
