/**
 * `tools/list` under rules through the whole gateway, with real JWTs and a real MCP server holding 200
 * tools: every caller sees exactly what the rules allow on every repetition (the per-identity decision
 * memo gives the same answers as evaluating), a denied tool never appears and cannot be called, a reload
 * that changes the rules changes the lists at once (nothing remembered across snapshots), and a
 * 100-route config reloaded again and again under load fails no request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { connect, toolNames } from '../helpers/mcp-client.js';
import { serveHttp, type ServedFixture } from '../fixtures/serve.js';

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'portcullis-test';

const TOOLS = [
  'echo',
  'get-sum',
  'get-env',
  'secret',
  'ops-restart',
  ...Array.from({ length: 195 }, (_, i) => `tool-${String(i + 4).padStart(3, '0')}`),
];

function manyTools(): McpServer {
  const mcp = new McpServer({ name: 'many-tools', version: '1.0.0' });
  for (const name of TOOLS) {
    mcp.registerTool(name, { description: `the ${name} tool` }, () => ({
      content: [{ type: 'text', text: `ran ${name}` }],
    }));
  }
  return mcp;
}

const RULES = [
  'mcp.tool.name == "echo"',
  'jwt.sub == "test-user" && mcp.tool.name == "get-sum"',
  'mcp.tool.name == "get-env" && jwt.nested.key == "value"',
  'jwt.groups.exists(g, g == "ops") && mcp.tool.name.startsWith("ops-")',
  'jwt.sub == "test-user" && mcp.tool.name.startsWith("tool-1")',
  'jwt.nested.key == "value" && mcp.tool.name.endsWith("0")',
  'mcp.tool.name.contains("-19")',
  '{deny: mcp.tool.name == "secret"}',
  'mcp.tool.name == "tool-004"',
  'mcp.tool.name == "tool-005" && jwt.sub == "someone-else"',
];

/** The rules above in JavaScript. */
function allowed(claims: Record<string, unknown>, name: string): boolean {
  if (name === 'secret') return false;
  const sub = claims.sub;
  const nested = (claims.nested as { key?: string } | undefined)?.key;
  const groups = (claims.groups as string[] | undefined) ?? [];
  return (
    name === 'echo' ||
    (sub === 'test-user' && name === 'get-sum') ||
    (name === 'get-env' && nested === 'value') ||
    (groups.includes('ops') && name.startsWith('ops-')) ||
    (sub === 'test-user' && name.startsWith('tool-1')) ||
    (nested === 'value' && name.endsWith('0')) ||
    name.includes('-19') ||
    name === 'tool-004' ||
    (name === 'tool-005' && sub === 'someone-else')
  );
}

function ruleLines(rules: readonly string[]): string {
  return rules
    .map((r) => (r.startsWith('{deny: ') ? `          - deny: '${r.slice(7, -1)}'` : `          - '${r}'`))
    .join('\n');
}

function routesYaml(upstream: string, routes: number, rules: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < routes; i++) {
    out.push(`    - name: r${i}
      matches: [{ path: { pathPrefix: /r${i}/ } }]
      policies:
        jwtAuth: { issuer: ${ISSUER}, audiences: [${AUDIENCE}], jwks: { file: jwks.json } }
        mcpAuthorization:
          rules:
${ruleLines(rules)}
      backends:
      - mcp:
          targets:
          - name: many
            mcp: { host: ${JSON.stringify(upstream)} }`);
  }
  return `binds:
- port: 0
  listeners:
  - routes:
${out.join('\n')}
`;
}

describe('tools/list under rules', () => {
  let key: CryptoKey;
  let jwks: string;
  let upstream: ServedFixture;
  const gateways: TestGateway[] = [];
  const sign = (claims: Record<string, unknown>): Promise<string> => {
    const iat = Math.floor(Date.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 600)
      .sign(key);
  };
  const callers: Record<string, unknown>[] = [
    { sub: 'test-user', nested: { key: 'value' } },
    { sub: 'test-user' },
    { sub: 'someone-else', groups: ['ops'] },
    { sub: 'nobody' },
  ];

  before(async () => {
    const pair = await generateKeyPair('ES256');
    key = pair.privateKey;
    jwks = JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' }] });
    upstream = await serveHttp(manyTools);
  });
  after(async () => {
    for (const g of gateways) await g.stop();
    await upstream.close();
  });

  it('every caller sees exactly what the rules allow, every time; the denied tool never shows', async () => {
    const gw = await startGateway(routesYaml(upstream.url, 1, RULES), {
      files: { 'jwks.json': jwks },
      name: 'list-under-rules',
      logLevel: 'info',
    });
    gateways.push(gw);
    for (const claims of callers) {
      const token = await sign(claims);
      const want = TOOLS.filter((n) => allowed(claims, n)).sort();
      // Two sessions, two lists each: the first list of a caller evaluates, the others are remembered.
      for (let s = 0; s < 2; s++) {
        const client = await connect(`${gw.url}/r0/mcp`, { token });
        try {
          for (let l = 0; l < 2; l++) {
            const got = await toolNames(client);
            assert.deepEqual(got, want, `${JSON.stringify(claims)}: session ${s}, list ${l}`);
            assert.ok(!got.includes('secret'));
          }
          const denied = await client.callTool({ name: 'secret', arguments: {} }).then(
            (r) => JSON.stringify(r),
            (e: Error) => e.message,
          );
          assert.match(denied, /Unknown tool: secret/);
          const first = want[0] as string;
          const ran = await client.callTool({ name: first, arguments: {} });
          assert.deepEqual(ran.content, [{ type: 'text', text: `ran ${first}` }]);
        } finally {
          await client.close();
        }
      }
    }
  });

  it('a reload that changes the rules changes every caller’s list at once', async () => {
    const gw = await startGateway(routesYaml(upstream.url, 1, RULES), {
      files: { 'jwks.json': jwks },
      name: 'list-under-rules-reload',
      logLevel: 'info',
    });
    gateways.push(gw);
    const token = await sign({ sub: 'test-user', nested: { key: 'value' } });
    const client = await connect(`${gw.url}/r0/mcp`, { token });
    try {
      assert.ok((await toolNames(client)).includes('get-env'));
      gw.writeConfig(routesYaml(upstream.url, 1, ['mcp.tool.name == "tool-004"']));
      const status = await gw.portcullis.gateway.reload();
      assert.equal(status.ok, true, JSON.stringify(status));
      // The session was bound to the old snapshot's backend; a new one sees the new rules.
      const fresh = await connect(`${gw.url}/r0/mcp`, { token });
      try {
        assert.deepEqual(await toolNames(fresh), ['tool-004']);
      } finally {
        await fresh.close();
      }
    } finally {
      await client.close().catch(() => undefined);
    }
  });

  it('100 routes on one JWKS reloaded 10 times under load: no request fails, the last rules apply', async () => {
    const variant = (v: number): string[] => [...RULES.slice(0, 8), `mcp.tool.name == "tool-${100 + v}"`];
    const gw = await startGateway(routesYaml(upstream.url, 100, variant(0)), {
      files: { 'jwks.json': jwks },
      name: 'list-under-rules-100-routes',
      logLevel: 'info',
    });
    gateways.push(gw);
    const token = await sign({ sub: 'someone-else' });
    let ok = 0;
    const failures: string[] = [];
    let stop = false;
    const load = Array.from({ length: 4 }, async (_, c) => {
      while (!stop) {
        const route = (ok + c * 25) % 100;
        try {
          const client = await connect(`${gw.url}/r${route}/mcp`, { token });
          try {
            const names = await toolNames(client);
            if (!names.includes('echo') || names.includes('secret'))
              failures.push(`r${route}: ${names.join(',')}`);
            else ok++;
          } finally {
            await client.close();
          }
        } catch (e) {
          failures.push(`r${route}: ${(e as Error).message}`);
        }
      }
    });
    let reloads = 0;
    try {
      for (let v = 1; v <= 10; v++) {
        gw.writeConfig(routesYaml(upstream.url, 100, variant(v)));
        const status = await gw.portcullis.gateway.reload();
        assert.equal(status.ok, true, JSON.stringify(status));
        reloads++;
      }
    } finally {
      stop = true;
      await Promise.all(load);
    }
    assert.equal(reloads, 10);
    assert.deepEqual(failures, []);
    assert.ok(ok > 0, 'requests ran during the reloads');
    const client = await connect(`${gw.url}/r42/mcp`, { token });
    try {
      const names = await toolNames(client);
      assert.ok(names.includes('tool-110'), 'the last variant applies');
      assert.ok(!names.includes('tool-101'), 'an earlier variant no longer does');
    } finally {
      await client.close();
    }
  });
});
