import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startAdminServer, type RunningServer } from '../../src/admin/server.js';
import { fakeBackend } from './fake-backend.js';
import { raw } from './http-client.js';

describe('admin server: the UI files under /ui/', () => {
  let server: RunningServer;
  let root: string;

  before(async () => {
    // <root>/secret.txt must never be served; <root>/dist is the UI.
    root = mkdtempSync(join(tmpdir(), 'pc-static-'));
    const dist = join(root, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(root, 'secret.txt'), 'TOP-SECRET');
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Portcullis UI</title>');
    writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dist, 'assets', 'index-abc123.css'), 'body{}');
    writeFileSync(join(dist, 'favicon.svg'), '<svg/>');
    writeFileSync(join(dist, '.env'), 'DOTFILE');
    symlinkSync(join(root, 'secret.txt'), join(dist, 'link.txt'));
    server = await startAdminServer(fakeBackend(), { host: '127.0.0.1', port: 0, uiDir: dist });
  });

  after(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('index.html: HTML type, revalidated, with a Content-Security-Policy', async () => {
    const r = await raw(server.url, '/ui/');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(r.headers['cache-control'], 'no-cache');
    assert.match(String(r.headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.match(r.body, /Portcullis UI/);
  });

  test('hashed assets: correct MIME and immutable caching; ETag revalidation', async () => {
    const js = await raw(server.url, '/ui/assets/index-abc123.js');
    assert.equal(js.status, 200);
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
    const css = await raw(server.url, '/ui/assets/index-abc123.css');
    assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
    const svg = await raw(server.url, '/ui/favicon.svg');
    assert.equal(svg.headers['content-type'], 'image/svg+xml');
    const again = await raw(server.url, '/ui/assets/index-abc123.js', {
      headers: { 'if-none-match': String(js.headers.etag) },
    });
    assert.equal(again.status, 304);
    assert.equal(again.body, '');
  });

  test('client-side routes fall back to index.html; missing files with an extension are 404', async () => {
    for (const path of ['/ui/playground/', '/ui/routes', '/ui/policies/?x=1']) {
      const r = await raw(server.url, path);
      assert.equal(r.status, 200, path);
      assert.match(r.body, /Portcullis UI/, path);
    }
    assert.equal((await raw(server.url, '/ui/assets/missing.js')).status, 404);
  });

  test('path traversal, encoded or not, and symlinks out of the folder are refused', async () => {
    const attempts = [
      '/ui/../secret.txt',
      '/ui/../../secret.txt',
      '/ui/%2e%2e/secret.txt',
      '/ui/%2e%2e%2fsecret.txt',
      '/ui/..%2f..%2fsecret.txt',
      '/ui/assets/%2e%2e/%2e%2e/secret.txt',
      '/ui/%5c..%5csecret.txt',
      '/ui/secret.txt%00.js',
      '/ui/%E0%A4%A',
      '/ui/link.txt',
      '/ui/.env',
    ];
    for (const path of attempts) {
      const r = await raw(server.url, path);
      assert.ok(!r.body.includes('TOP-SECRET') && !r.body.includes('DOTFILE'), `${path} leaked a file`);
      assert.ok([400, 404].includes(r.status), `${path} → ${r.status}`);
    }
  });

  test('only GET and HEAD', async () => {
    const head = await raw(server.url, '/ui/', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    const post = await raw(server.url, '/ui/', { method: 'POST' });
    assert.equal(post.status, 405);
  });

  test('an unbuilt UI says how to build it', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'pc-empty-'));
    const s = await startAdminServer(fakeBackend(), { host: '127.0.0.1', port: 0, uiDir: empty });
    try {
      const r = await raw(s.url, '/ui/');
      assert.equal(r.status, 503);
      assert.match(r.body, /npm run build:ui/);
    } finally {
      await s.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
