/**
 * The admin API routes behind the UI's editor, Backends page and "Connect a client" panel, against the
 * real gateway: YAML config read (redacted) and write (validated, secrets restored, issues at the posted
 * text's lines), session paging and close, client snippets. Bad input gets a clear 4xx, never a 500.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SESSION_PAGE_MAX } from '../../src/admin/ui-routes.js';
import type { ClientSnippet } from '../../src/admin/client-snippets-api.js';
import type { SessionPage } from '../../src/admin/api.js';
import { startSeedServer } from '../fixtures/seed-server.js';
import type { ServedFixture } from '../fixtures/serve.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { json, raw } from './http-client.js';

const SECRET = 'sk-upstream-secret-0815';

describe('admin API for the UI (real gateway)', () => {
  let upstream: ServedFixture;
  let gw: TestGateway;
  const clients: Client[] = [];
  const config = (rule: string) => `# a comment that stays
binds:
- port: 0
  listeners:
  - routes:
    - policies:
        requestHeaderModifier:
          set:
            authorization: "Bearer ${SECRET}"
        mcpAuthorization:
          rules:
          - '${rule}'
      backends:
      - mcp:
          targets:
          - name: seed
            mcp: {host: "${upstream.url}"}
`;

  before(async () => {
    upstream = await startSeedServer();
    gw = await startGateway(config('true'), { name: 'ui-routes' });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await gw?.stop();
    await upstream?.close();
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    raw(gw.adminUrl, path, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/yaml', ...headers },
    });

  test('GET /config/yaml: the file as written, secrets redacted in place', async () => {
    const r = await raw(gw.adminUrl, '/config/yaml');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^application\/yaml/);
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.ok(!r.body.includes(SECRET));
    assert.match(r.body, /^# a comment that stays\n/);
    assert.match(r.body, /authorization: "\[redacted\]"/);
  });

  test('POST /config/yaml refuses other content types, huge bodies and cross-origin pages', async () => {
    const text = (await raw(gw.adminUrl, '/config/yaml')).body;
    assert.equal((await post('/config/yaml?dryRun=1', text, { 'content-type': 'text/plain' })).status, 415);
    assert.equal((await post('/config/yaml?dryRun=1', 'x'.repeat(1024 * 1024 + 1))).status, 413);
    const cross = await post('/config/yaml', text, { origin: 'https://evil.example' });
    assert.equal(cross.status, 403);
    assert.equal(readFileSync(gw.configFile, 'utf8'), config('true'), 'nothing written');
  });

  test("POST /config/yaml?dryRun=1 validates only; errors cite the posted text's lines", async () => {
    const text = (await raw(gw.adminUrl, '/config/yaml')).body;
    const ok = await post('/config/yaml?dryRun=1', text);
    assert.equal(ok.status, 200, ok.body);
    assert.deepEqual(json(ok), { status: 'success', message: 'The config is valid.' });

    const ruleLine = text.split('\n').findIndex((l) => l.includes("- 'true'")) + 1;
    const cel = await post('/config/yaml?dryRun=1', text.replace("'true'", "'mcp.tool.name =='"));
    assert.equal(cel.status, 400, cel.body);
    const issues = (json(cel) as { issues: { line: number; column: number; message: string }[] }).issues;
    assert.equal(issues[0]?.line, ruleLine);
    assert.match(issues[0]?.message ?? '', /invalid CEL/);

    const schema = await post('/config/yaml?dryRun=1', text.replace('listeners:', 'listenerz:'));
    assert.equal(schema.status, 400);
    const s = (json(schema) as { issues: { line: number; message: string }[] }).issues;
    assert.equal(s[0]?.line, text.split('\n').findIndex((l) => l.includes('listeners:')) + 1);

    const syntax = await post('/config/yaml?dryRun=1', text + 'broken: [1, 2\n');
    assert.equal(syntax.status, 400);
    assert.ok((json(syntax) as { issues: unknown[] }).issues.length > 0);
    assert.equal(readFileSync(gw.configFile, 'utf8'), config('true'), 'dryRun never writes');
  });

  test('POST /config (JSON) answers a CEL compile error as 400 with its line, not 500', async () => {
    const cfg = json(await raw(gw.adminUrl, '/config')) as {
      binds: { listeners: { routes: { policies: { mcpAuthorization: { rules: string[] } } }[] }[] }[];
    };
    cfg.binds[0]!.listeners[0]!.routes[0]!.policies.mcpAuthorization.rules[0] = 'mcp.tool.name ==';
    const r = await raw(gw.adminUrl, '/config', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(cfg),
    });
    assert.equal(r.status, 400, r.body);
    const issues = (json(r) as { issues: { line: number; message: string }[] }).issues;
    assert.match(issues[0]?.message ?? '', /invalid CEL/);
    assert.ok((issues[0]?.line ?? 0) > 0);
    assert.equal(readFileSync(gw.configFile, 'utf8'), config('true'), 'nothing written');
  });

  test('POST /config/yaml writes the edit with the redacted secret restored', async () => {
    const text = (await raw(gw.adminUrl, '/config/yaml')).body;
    const r = await post('/config/yaml', text.replace("'true'", '\'mcp.tool.name == "echo"\''));
    assert.equal(r.status, 200, r.body);
    // Byte for byte the edited text: the comment kept, the secret back where it was.
    assert.equal(readFileSync(gw.configFile, 'utf8'), config('mcp.tool.name == "echo"'));
  });

  test('GET /api/sessions/page: newest first, bounded pages, clear errors', async () => {
    for (let i = 0; i < 3; i++) {
      const c = new Client({ name: 'page-test', version: '1' });
      await c.connect(new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`)));
      clients.push(c);
    }
    const first = json(await raw(gw.adminUrl, '/api/sessions/page?offset=0&limit=2')) as SessionPage;
    assert.equal(first.total, 3);
    assert.equal(first.sessions.length, 2);
    assert.ok(first.sessions[0]!.lastActiveAt >= first.sessions[1]!.lastActiveAt);
    const rest = json(await raw(gw.adminUrl, '/api/sessions/page?offset=2&limit=2')) as SessionPage;
    assert.equal(rest.sessions.length, 1);
    const all = [...first.sessions, ...rest.sessions].map((s) => s.id);
    assert.equal(new Set(all).size, 3);
    const big = json(await raw(gw.adminUrl, '/api/sessions/page?limit=100000')) as SessionPage;
    assert.equal(big.limit, SESSION_PAGE_MAX);
    for (const bad of ['offset=-1', 'limit=abc', 'offset=1.5'])
      assert.equal((await raw(gw.adminUrl, `/api/sessions/page?${bad}`)).status, 400, bad);
  });

  test('POST /api/sessions/close ends the session on the gateway; unknown ids are 404', async () => {
    const c = new Client({ name: 'close-test', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`));
    await c.connect(transport);
    clients.push(c);
    const id = transport.sessionId!;
    assert.equal((await raw(gw.adminUrl, `/api/sessions/close?id=${id}`)).status, 405, 'GET is refused');
    assert.equal((await raw(gw.adminUrl, '/api/sessions/close', { method: 'POST' })).status, 400);
    assert.equal((await raw(gw.adminUrl, '/api/sessions/close?id=nope', { method: 'POST' })).status, 404);
    const cross = await raw(gw.adminUrl, `/api/sessions/close?id=${id}`, {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
    });
    assert.equal(cross.status, 403);
    const r = await raw(gw.adminUrl, `/api/sessions/close?id=${id}`, { method: 'POST' });
    assert.equal(r.status, 200, r.body);
    assert.ok(!gw.portcullis.gateway.mcp.sessions().some((s) => s.id === id));
    await assert.rejects(c.listTools());
    assert.equal((await raw(gw.adminUrl, `/api/sessions/close?id=${id}`, { method: 'POST' })).status, 404);
  });

  test('GET /api/client-snippets: five clients, the token from X-Explain-Token (never the admin Authorization) or a placeholder', async () => {
    const endpoints = json(await raw(gw.adminUrl, '/api/endpoints')) as { url: string }[];
    const url = endpoints[0]!.url;
    const q = `/api/client-snippets?url=${encodeURIComponent(url)}`;
    assert.equal((await raw(gw.adminUrl, '/api/client-snippets?url=http://evil.example/mcp')).status, 400);
    const withToken = json(
      await raw(gw.adminUrl, q, { headers: { 'x-explain-token': 'tok-123' } }),
    ) as ClientSnippet[];
    assert.deepEqual(
      withToken.map((s) => s.name),
      ['Claude Desktop', 'Claude Code', 'Cursor', 'VS Code', 'MCP Inspector'],
    );
    for (const s of withToken) {
      assert.ok(s.text.includes(url), `${s.name} names the endpoint`);
      // VS Code asks for the token once (an `inputs` prompt) instead of storing it in the file.
      if (s.name === 'VS Code') assert.match(s.text, /Bearer \$\{input:portcullis-token\}/);
      else assert.ok(s.text.includes('Bearer tok-123'), `${s.name} carries the token`);
      if (s.language === 'json') assert.doesNotThrow(() => JSON.parse(s.text), s.name);
      else assert.match(s.text, /^(claude|npx) /, s.name);
    }
    const anonymous = json(await raw(gw.adminUrl, q)) as ClientSnippet[];
    for (const s of anonymous.filter((x) => x.name !== 'VS Code'))
      assert.ok(s.text.includes('Bearer <TOKEN>'), s.name);
    // An Authorization header (the admin token's place) never ends up in a snippet.
    const viaAuthorization = json(
      await raw(gw.adminUrl, q, { headers: { authorization: 'Bearer admin-secret' } }),
    ) as ClientSnippet[];
    for (const s of viaAuthorization) assert.ok(!s.text.includes('admin-secret'), s.name);
  });
});
