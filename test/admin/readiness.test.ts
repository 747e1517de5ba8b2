import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startReadinessServer, type RunningServer } from '../../src/admin/server.js';
import type { ReadyState } from '../../src/admin/types.js';
import { raw } from './http-client.js';

describe('readiness server', () => {
  let server: RunningServer;
  let state: ReadyState = { ready: false, pending: ['config', 'listener bind/3000'] };

  before(async () => {
    server = await startReadinessServer({ ready: () => state }, { host: '127.0.0.1', port: 0 });
  });
  after(() => server.close());

  test('503 naming what is pending, then 200 ready once everything is up', async () => {
    const before = await raw(server.url, '/healthz/ready');
    assert.equal(before.status, 503);
    assert.equal(before.body, 'not ready, pending: config, listener bind/3000\n');

    state = { ready: false, pending: ['target everything: stdio process exited with code 1'] };
    const failing = await raw(server.url, '/healthz/ready');
    assert.equal(failing.status, 503);
    assert.match(failing.body, /target everything: stdio process exited/);

    state = { ready: true, pending: [] };
    const ready = await raw(server.url, '/healthz/ready');
    assert.equal(ready.status, 200);
    assert.equal(ready.body, 'ready\n');
    assert.match(String(ready.headers['content-type']), /text\/plain/);
  });

  test('non-GET → 405, other paths → 404', async () => {
    const post = await raw(server.url, '/healthz/ready', { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET');
    assert.equal((await raw(server.url, '/healthz/live')).status, 404);
  });

  test('a throwing backend reads as not ready', async () => {
    const s = await startReadinessServer(
      {
        ready: () => {
          throw new Error('runtime not built');
        },
      },
      { host: '127.0.0.1', port: 0 },
    );
    try {
      const r = await raw(s.url, '/healthz/ready');
      assert.equal(r.status, 503);
      assert.equal(r.body, 'not ready, pending: runtime not built\n');
    } finally {
      await s.close();
    }
  });
});
