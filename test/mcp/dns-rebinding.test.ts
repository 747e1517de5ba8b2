/** DNS-rebinding protection: Host and Origin must be loopback, else 403 plain text. */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { ServedFixture } from '../fixtures/serve.js';
import { httpTarget, startHarness, type Harness } from './harness.js';
import { servePaged } from './paged-server.js';
import { INIT } from './raw.js';

/** node:http (not fetch) so the Host header can be set freely and Origin sent twice. */
function post(
  url: string,
  headers: Record<string, string | string[]>,
): Promise<{ status: number; body: string; type: string }> {
  const body = JSON.stringify(INIT);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: text, type: String(res.headers['content-type']) }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('DNS-rebinding protection', () => {
  let h: Harness;
  let paged: ServedFixture;
  before(async () => {
    paged = await servePaged('p', 1);
    h = await startHarness({ targets: [httpTarget('p', paged.url)], dnsRebindingProtection: true });
  });
  after(async () => {
    await h.close();
    await paged.close();
  });

  const allowed: Record<string, string | string[]>[] = [
    { host: 'localhost:8080' },
    { host: 'LOCALHOST' },
    { host: '127.0.0.1:1' },
    { host: '[::1]:3000' },
    // Every loopback spelling (src/net/loopback.ts): a bind on 127.0.0.2 must answer its own address.
    { host: '127.0.0.2' },
    { host: '[::ffff:127.0.0.1]:80' },
    { host: 'localhost', origin: 'http://localhost:5173' },
    { host: 'localhost', origin: 'https://127.0.0.1' },
    { host: 'localhost', origin: 'http://[::1]:8080/' },
  ];
  const refused: Record<string, string | string[]>[] = [
    { host: 'evil.example' },
    { host: 'localhost.evil.example' },
    { host: '0.0.0.0' },
    { host: '[::]' },
    { host: 'localhost', origin: 'http://evil.example' },
    { host: 'localhost', origin: 'null' },
    { host: 'localhost', origin: 'file://localhost' },
    { host: 'localhost', origin: 'http://user@localhost' },
    { host: 'localhost', origin: 'http://localhost/path' },
    { host: 'localhost', origin: ['http://localhost', 'http://localhost'] },
  ];

  for (const headers of allowed) {
    it(`accepts ${JSON.stringify(headers)}`, async () => {
      const r = await post(h.url + '/mcp', headers);
      assert.equal(r.status, 200, r.body);
    });
  }
  for (const headers of refused) {
    it(`refuses ${JSON.stringify(headers)} with 403 text`, async () => {
      const r = await post(h.url + '/mcp', headers);
      assert.equal(r.status, 403);
      assert.match(r.type, /text\/plain/);
      assert.equal(
        r.body.trim(),
        'MCP DNS rebinding protection: Host/Origin must be localhost, 127.0.0.1, or [::1]',
      );
    });
  }

  it('covers the legacy SSE endpoint too', async () => {
    const r = await post(h.url + '/sse?sessionId=x', { host: 'evil.example' });
    assert.equal(r.status, 403);
  });
});
