/**
 * DNS-rebinding protection is on by default when a bind listens on loopback only, and
 * off for an all-interfaces bind unless configured.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { resolve } from 'node:path';
import { startGateway } from '../helpers/gateway.js';

const EVERYTHING = resolve('node_modules/@modelcontextprotocol/server-everything/dist/index.js');

function init(port: number, host: string): Promise<number> {
  return new Promise((ok, fail) => {
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    });
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/mcp',
        method: 'POST',
        headers: {
          host,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
      },
      (res) => {
        res.resume();
        ok(res.statusCode ?? 0);
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

for (const [address, protectedByDefault] of [
  ['127.0.0.1', true],
  ['0.0.0.0', false],
] as const) {
  test(`bind address ${address}: a foreign Host is ${protectedByDefault ? 'refused (403)' : 'served'}`, async (t) => {
    const gw = await startGateway(
      `binds:
- port: 0
  address: "${address}"
  listeners:
  - routes:
    - backends:
      - mcp:
          targets:
          - name: everything
            stdio: {cmd: node, args: ["${EVERYTHING}", "stdio"]}
`,
      { name: 'dns-default' },
    );
    t.after(() => gw.stop());
    assert.equal(await init(gw.port, `localhost:${gw.port}`), 200);
    assert.equal(await init(gw.port, 'attacker.example:80'), protectedByDefault ? 403 : 200);
  });
}
