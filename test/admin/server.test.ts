import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startAdminServer, type RunningServer } from '../../src/admin/server.js';
import type { EndpointInfo } from '../../src/admin/types.js';
import { fakeBackend, ISSUE, type FakeBackend } from './fake-backend.js';
import { json, raw } from './http-client.js';

async function until(check: () => boolean, what: string, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('admin server API', () => {
  let server: RunningServer;
  let backend: FakeBackend;
  let corsTarget: ReturnType<typeof createServer>;
  let corsUrl: string;
  let uiDir: string;

  before(async () => {
    // A stand-in gateway endpoint that answers CORS preflights, for /api/preflight.
    corsTarget = createServer((req, res) => {
      res.writeHead(200, {
        'access-control-allow-origin': String(req.headers.origin),
        'access-control-allow-headers': String(req.headers['access-control-request-headers']),
      });
      res.end();
    });
    await new Promise<void>((r) => corsTarget.listen(0, '127.0.0.1', r));
    const port = (corsTarget.address() as { port: number }).port;
    corsUrl = `http://127.0.0.1:${port}/mcp`;
    const endpoints: EndpointInfo[] = [
      {
        url: corsUrl,
        path: '/mcp',
        listener: 'l',
        route: 'r',
        kind: 'mcp',
        transports: ['streamable'],
        auth: true,
        cors: true,
      },
      {
        url: 'http://127.0.0.1:1/mcp',
        path: '/mcp',
        listener: 'l',
        route: 'closed',
        kind: 'mcp',
        transports: ['streamable'],
        auth: false,
        cors: false,
      },
    ];
    backend = fakeBackend(endpoints);
    uiDir = mkdtempSync(join(tmpdir(), 'pc-ui-'));
    writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>ui</title>');
    server = await startAdminServer(backend, { host: '127.0.0.1', port: 0, uiDir });
  });

  after(async () => {
    await server.close();
    await new Promise((r) => corsTarget.close(r));
    rmSync(uiDir, { recursive: true, force: true });
  });

  test('/ and /ui redirect to /ui/ with 308', async () => {
    for (const path of ['/', '/ui']) {
      const r = await raw(server.url, path);
      assert.equal(r.status, 308);
      assert.equal(r.headers.location, '/ui/');
    }
    const ui = await raw(server.url, '/ui/');
    assert.equal(ui.status, 200);
    assert.match(String(ui.headers['content-type']), /text\/html/);
  });

  test('GET /config returns the config file as JSON; no file → the backend status', async () => {
    const r = await raw(server.url, '/config');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /application\/json/);
    assert.equal((json(r) as { binds: unknown[] }).binds.length, 1);
    backend.configFromFile = false;
    try {
      const missing = await raw(server.url, '/config');
      assert.equal(missing.status, 404);
      assert.deepEqual(json(missing), { status: 'error', message: 'the config did not come from a file' });
    } finally {
      backend.configFromFile = true;
    }
  });

  test('POST /config writes a valid config and answers success', async () => {
    const body = JSON.stringify({ binds: [] });
    const r = await raw(server.url, '/config', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    assert.equal(r.status, 200);
    assert.equal((json(r) as { status: string }).status, 'success');
    const call = backend.calls.filter((c) => c.method === 'writeConfig').at(-1);
    assert.deepEqual(call?.args, [{ binds: [] }]);
  });

  test('POST /config with an invalid config → 400 with file:line:col issues', async () => {
    const r = await raw(server.url, '/config', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ binds: 'bad' }),
    });
    assert.equal(r.status, 400);
    assert.deepEqual(json(r), { status: 'error', message: 'config is invalid', issues: [ISSUE] });
  });

  test('POST /config refuses non-JSON, broken JSON, huge bodies and cross-origin pages', async () => {
    const headers = { 'content-type': 'application/json' };
    assert.equal(
      (
        await raw(server.url, '/config', {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: '{}',
        })
      ).status,
      415,
    );
    assert.equal(
      (await raw(server.url, '/config', { method: 'POST', headers, body: '{"binds":' })).status,
      400,
    );
    const huge = JSON.stringify({ pad: 'x'.repeat(1024 * 1024 + 10) });
    assert.equal((await raw(server.url, '/config', { method: 'POST', headers, body: huge })).status, 413);
    const cross = await raw(server.url, '/config', {
      method: 'POST',
      headers: { ...headers, origin: 'https://evil.example' },
      body: '{}',
    });
    assert.equal(cross.status, 403);
    const sameOrigin = await raw(server.url, '/config', {
      method: 'POST',
      headers: { ...headers, origin: server.url },
      body: '{}',
    });
    assert.equal(sameOrigin.status, 200);
  });

  test('GET /config_dump redacts secrets', async () => {
    const r = await raw(server.url, '/config_dump');
    assert.equal(r.status, 200);
    for (const secret of ['PRIVATE-D', 'PRIVATE-P', 'sk-live-BACKEND-KEY', 'UPSTREAM-TOKEN', 'ghp_SECRET']) {
      assert.ok(!r.body.includes(secret), `${secret} leaked in /config_dump`);
    }
    assert.ok(r.body.includes('public-n'), 'public key material is kept');
    assert.ok(!r.body.includes('keep-me'), 'header-modifier values are redacted whatever the header');
    assert.ok(r.body.includes('[redacted]'));
  });

  test('GET /api/summary, /api/sessions, /api/endpoints, /api/demo-tokens, /api/reload, /api/ready', async () => {
    const summary = json(await raw(server.url, '/api/summary')) as {
      targets: { status: string }[];
      sessions: number;
    };
    assert.equal(summary.targets[0]?.status, 'ok');
    assert.equal(summary.sessions, 1);
    const sessions = json(await raw(server.url, '/api/sessions')) as { id: string; sub: string }[];
    assert.deepEqual(
      sessions.map((s) => [s.id, s.sub]),
      [['s-1', 'test-user']],
    );
    const endpoints = json(await raw(server.url, '/api/endpoints')) as EndpointInfo[];
    assert.equal(endpoints[0]?.url, corsUrl);
    assert.deepEqual(json(await raw(server.url, '/api/demo-tokens')), [
      { name: 'example1', token: 'aaa.bbb.ccc' },
    ]);
    assert.equal((json(await raw(server.url, '/api/reload')) as { ok: boolean }).ok, true);
    assert.deepEqual(json(await raw(server.url, '/api/ready')), { ready: false, pending: ['config'] });
  });

  test('GET /api/explain takes the token from Authorization or ?token=, plus tool and route', async () => {
    const lastExplain = () => backend.calls.filter((c) => c.method === 'explain').at(-1)?.args;
    const r = await raw(server.url, '/api/explain?tool=echo&route=r', {
      headers: { authorization: 'Bearer header.tok.en' },
    });
    assert.equal(r.status, 200);
    assert.deepEqual(lastExplain(), ['header.tok.en', { tool: 'echo', route: 'r' }]);
    assert.equal((json(r) as { items: unknown[] }).items.length, 1);
    await raw(server.url, '/api/explain?token=query.tok.en');
    assert.deepEqual(lastExplain(), ['query.tok.en', {}]);
    await raw(server.url, '/api/explain');
    assert.deepEqual(lastExplain(), [undefined, {}]);
  });

  test('GET /api/preflight probes only known endpoints and reports the CORS answer', async () => {
    const unknown = await raw(
      server.url,
      `/api/preflight?url=${encodeURIComponent('http://169.254.169.254/')}`,
    );
    assert.equal(unknown.status, 400);
    const ok = json(
      await raw(
        server.url,
        `/api/preflight?url=${encodeURIComponent(corsUrl)}&origin=${encodeURIComponent('http://localhost:15000')}`,
      ),
    ) as Record<string, unknown>;
    assert.equal(ok.reachable, true);
    assert.equal(ok.allowOrigin, 'http://localhost:15000');
    assert.match(String(ok.allowHeaders), /authorization/);
    const closed = json(
      await raw(server.url, `/api/preflight?url=${encodeURIComponent('http://127.0.0.1:1/mcp')}`),
    ) as Record<string, unknown>;
    assert.equal(closed.reachable, false);
    assert.equal(closed.error, 'ECONNREFUSED');
  });

  test('GET/POST /logging reads and sets the level', async () => {
    assert.deepEqual(json(await raw(server.url, '/logging')), { level: 'info' });
    const set = await raw(server.url, '/logging?level=debug', { method: 'POST' });
    assert.equal(set.status, 200);
    assert.deepEqual(json(set), { level: 'debug' });
    assert.equal(backend.level, 'debug');
    assert.equal((await raw(server.url, '/logging?level=loud', { method: 'POST' })).status, 400);
    assert.equal(backend.level, 'debug');
  });

  test('POST /quitquitquit answers, then quits; GET is 405', async () => {
    const get = await raw(server.url, '/quitquitquit');
    assert.equal(get.status, 405);
    assert.equal(get.headers.allow, 'POST');
    assert.equal(backend.quitCount, 0);
    const r = await raw(server.url, '/quitquitquit', { method: 'POST' });
    assert.equal(r.status, 200);
    assert.deepEqual(json(r), { status: 'quitting' });
    await until(() => backend.quitCount === 1, 'quit()');
  });

  test('unknown paths → 404 JSON; wrong method → 405 with Allow', async () => {
    const r = await raw(server.url, '/nope');
    assert.equal(r.status, 404);
    assert.deepEqual(json(r), { status: 'error', message: 'not found: /nope' });
    const m = await raw(server.url, '/config_dump', { method: 'DELETE' });
    assert.equal(m.status, 405);
    assert.equal(m.headers.allow, 'GET');
  });

  test('a Host that is not loopback is refused (DNS rebinding)', async () => {
    const r = await raw(server.url, '/config_dump', { headers: { host: 'attacker.example:15000' } });
    assert.equal(r.status, 421);
    assert.ok(!r.body.includes('public-n'));
    assert.equal(
      (await raw(server.url, '/api/summary', { headers: { host: 'localhost:15000' } })).status,
      200,
    );
  });

  test('backend failures become 500 JSON without a stack', async () => {
    const failing = fakeBackend();
    failing.summary = () => {
      throw new Error('runtime not built yet');
    };
    const errors: unknown[] = [];
    const s = await startAdminServer(failing, {
      host: '127.0.0.1',
      port: 0,
      uiDir,
      onError: (e) => errors.push(e),
    });
    try {
      const r = await raw(s.url, '/api/summary');
      assert.equal(r.status, 500);
      assert.deepEqual(json(r), { status: 'error', message: 'runtime not built yet' });
      assert.equal(errors.length, 1);
    } finally {
      await s.close();
    }
  });
});
