/**
 * The admin plane is closed by default: loopback spellings, the admin token beyond loopback (refuse to
 * start without one), 401 + WWW-Authenticate, and Host / cross-site checks on every route, GETs included.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startAdminServer, type RunningServer } from '../../src/admin/server.js';
import { adminTokenFromEnv } from '../../src/admin/token.js';
import { isLoopback } from '../../src/net/loopback.js';
import { fakeBackend, type FakeBackend } from './fake-backend.js';
import { json, raw } from './http-client.js';

const TOKEN = 'admin-token-0123456789abcdef';

test('isLoopback: every loopback spelling, and never the unspecified addresses', () => {
  for (const h of [
    'localhost',
    'LocalHost.',
    'ui.localhost',
    '127.0.0.1',
    '127.0.0.2',
    '127.255.255.254',
    '127.1',
    '::1',
    '[::1]',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
    '[::ffff:127.0.0.2]',
  ])
    assert.equal(isLoopback(h), true, h);
  for (const h of [
    '0.0.0.0',
    '::',
    '[::]',
    '10.0.0.1',
    '::ffff:10.0.0.1',
    'localhost.evil.example',
    '',
    'a b',
  ])
    assert.equal(isLoopback(h), false, h);
});

test('the admin token comes from PORTCULLIS_ADMIN_TOKEN or a file; bad settings are named', () => {
  assert.equal(adminTokenFromEnv({}), undefined);
  assert.equal(adminTokenFromEnv({ PORTCULLIS_ADMIN_TOKEN: TOKEN }), TOKEN);
  const dir = mkdtempSync(join(tmpdir(), 'pc-tok-'));
  try {
    const file = join(dir, 'token');
    writeFileSync(file, `${TOKEN}\n`);
    assert.equal(adminTokenFromEnv({ PORTCULLIS_ADMIN_TOKEN_FILE: file }), TOKEN);
    assert.throws(
      () => adminTokenFromEnv({ PORTCULLIS_ADMIN_TOKEN_FILE: join(dir, 'missing') }),
      /PORTCULLIS_ADMIN_TOKEN_FILE .*cannot read the file \(ENOENT\)/,
    );
    assert.throws(
      () => adminTokenFromEnv({ PORTCULLIS_ADMIN_TOKEN: TOKEN, PORTCULLIS_ADMIN_TOKEN_FILE: file }),
      /not both/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.throws(() => adminTokenFromEnv({ PORTCULLIS_ADMIN_TOKEN: 'short' }), /at least 16 characters/);
});

describe('beyond loopback', () => {
  for (const host of ['0.0.0.0', '::']) {
    test(`the admin server refuses to start on ${host} without a token, naming the setting`, async () => {
      await assert.rejects(
        startAdminServer(fakeBackend(), { host, port: 0 }),
        /beyond loopback, without a token: set PORTCULLIS_ADMIN_TOKEN or PORTCULLIS_ADMIN_TOKEN_FILE/,
      );
    });
  }

  let server: RunningServer;
  let backend: FakeBackend;
  let uiDir: string;
  before(async () => {
    backend = fakeBackend();
    uiDir = mkdtempSync(join(tmpdir(), 'pc-ui-'));
    writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>ui</title>');
    server = await startAdminServer(backend, { host: '0.0.0.0', port: 0, uiDir, token: TOKEN });
  });
  after(async () => {
    await server.close();
    rmSync(uiDir, { recursive: true, force: true });
  });
  const base = () => `http://127.0.0.1:${server.port}`;

  test('every API route answers 401 with WWW-Authenticate: Bearer without the right token', async () => {
    const routes: [string, string][] = [
      ['GET', '/config'],
      ['POST', '/config'],
      ['GET', '/config_dump'],
      ['GET', '/api/summary'],
      ['GET', '/api/sessions'],
      ['GET', '/api/endpoints'],
      ['GET', '/api/demo-tokens'],
      ['GET', '/api/reload'],
      ['GET', '/api/ready'],
      ['GET', '/api/explain'],
      ['GET', '/api/preflight'],
      ['GET', '/logging'],
      ['POST', '/logging?level=debug'],
      ['POST', '/quitquitquit'],
    ];
    for (const authorization of [
      undefined,
      'Bearer wrong-token-0123456789',
      `Basic ${TOKEN}`,
      `Bearer ${TOKEN}x`,
    ]) {
      for (const [method, path] of routes) {
        const r = await raw(base(), path, {
          method,
          headers: authorization ? { authorization, 'content-type': 'application/json' } : {},
          body: method === 'POST' ? '{}' : undefined,
        });
        assert.equal(r.status, 401, `${method} ${path} with ${authorization}`);
        assert.match(String(r.headers['www-authenticate']), /^Bearer realm="portcullis-admin"/);
        assert.ok(!r.body.includes(TOKEN));
      }
    }
    assert.equal(backend.quitCount, 0);
    assert.equal(backend.calls.length, 0, 'no backend call without the token');
    const ok = await raw(base(), '/api/summary', { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(ok.status, 200);
    assert.equal((json(ok) as { version: string }).version, '0.1.0');
  });

  test('the UI pages load without the token (the UI then asks for it)', async () => {
    const r = await raw(base(), '/ui/');
    assert.equal(r.status, 200);
    assert.match(r.body, /<title>ui<\/title>/);
  });

  test('with a token, /api/explain takes the explained identity from X-Explain-Token', async () => {
    const r = await raw(base(), '/api/explain', {
      headers: { authorization: `Bearer ${TOKEN}`, 'x-explain-token': 'user.tok.en' },
    });
    assert.equal(r.status, 200);
    assert.deepEqual(backend.calls.filter((c) => c.method === 'explain').at(-1)?.args, ['user.tok.en', {}]);
    await raw(base(), '/api/explain', { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.deepEqual(
      backend.calls.filter((c) => c.method === 'explain').at(-1)?.args,
      [undefined, {}],
      'the admin token is never explained as a user identity',
    );
  });

  test('POST /config with the token is authenticated', async () => {
    const r = await raw(base(), '/config', {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: '{"binds":[]}',
    });
    assert.equal(r.status, 200, r.body);
  });
});

describe('loopback binds', () => {
  let server: RunningServer;
  let backend: FakeBackend;
  const refusals: string[] = [];
  before(async () => {
    backend = fakeBackend();
    // Any address of 127.0.0.0/8 is loopback on Linux; a bind there must answer its own address.
    server = await startAdminServer(backend, {
      host: '127.0.0.2',
      port: 0,
      onRefused: (reason) => refusals.push(reason),
    });
  });
  after(() => server.close());
  const base = () => `http://127.0.0.2:${server.port}`;

  test('requests addressed to the bind itself or any loopback spelling are served', async () => {
    for (const host of [
      `127.0.0.2:${server.port}`,
      'localhost',
      '[::1]:1',
      '[::ffff:127.0.0.1]:80',
      '127.1',
    ]) {
      const r = await raw(base(), '/api/ready', { headers: { host } });
      assert.equal(r.status, 200, `Host ${host}: ${r.body}`);
    }
  });

  test('a foreign or unspecified Host is refused (421), a malformed one is a 400', async () => {
    for (const host of ['attacker.example', '0.0.0.0', '[::]:80', '127.0.0.1.nip.io'])
      assert.equal((await raw(base(), '/api/ready', { headers: { host } })).status, 421, host);
    for (const host of ['a b', 'localhost:99999', 'localhost/x', 'user@localhost'])
      assert.equal((await raw(base(), '/api/ready', { headers: { host } })).status, 400, host);
    assert.equal((await raw(base(), '/api/ready')).status, 200, 'still serving');
    assert.deepEqual(refusals.splice(0), [...Array(4).fill('host'), ...Array(4).fill('bad_request')]);
  });

  test('cross-site requests are refused on every route, GETs with side effects included', async () => {
    const before = backend.calls.length;
    const crossSite: Record<string, string>[] = [
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'http://evil.example' },
      { origin: 'null' },
    ];
    for (const headers of crossSite) {
      for (const path of [
        '/api/explain',
        '/api/preflight?url=x',
        '/config_dump',
        '/config',
        '/api/summary',
      ]) {
        const r = await raw(base(), path, { headers });
        assert.equal(r.status, 403, `${path} ${JSON.stringify(headers)}`);
        assert.match(r.body, /cross-origin request refused/);
      }
    }
    assert.equal(backend.calls.length, before, '/api/explain never ran');
    assert.deepEqual(new Set(refusals.splice(0)), new Set(['cross_site']), 'counted for the metric');
    const sameOrigin = await raw(base(), '/api/explain', {
      headers: { origin: base(), 'sec-fetch-site': 'same-origin' },
    });
    assert.equal(sameOrigin.status, 200);
  });

  test('a top-level navigation to the UI from another site is allowed', async () => {
    const r = await raw(base(), '/', {
      headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' },
    });
    assert.equal(r.status, 308);
  });
});
