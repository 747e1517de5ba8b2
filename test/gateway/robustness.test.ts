/**
 * "Bad input gets a clear error and loses nothing": hostile and malformed requests against a gateway
 * with the seed's policies. Every request gets an HTTP answer with a sane status, no stack trace leaks,
 * and the gateway keeps serving well-formed clients afterwards.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tcpConnect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { connect, toolNames } from '../helpers/mcp-client.js';

const fixture = (n: string) => resolve('test/fixtures/seed-jwt', n);
const EVERYTHING = resolve('node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const TOKEN = readFileSync(fixture('example1.key'), 'utf8').trim();

const YAML = `binds:
- port: 0
  listeners:
  - routes:
    - policies:
        cors: {allowOrigins: ["*"], allowHeaders: ["*"]}
        jwtAuth:
          issuer: agentgateway.dev
          audiences: [test.agentgateway.dev]
          jwks: {file: ${fixture('pub-key')}}
        mcpAuthorization:
          rules: ['mcp.tool.name == "echo"']
      backends:
      - mcp:
          targets:
          - name: everything
            stdio: {cmd: node, args: ["${EVERYTHING}", "stdio"]}
`;

function raw(port: number, payload: Buffer | string): Promise<string> {
  return new Promise((ok) => {
    const s = tcpConnect(port, '127.0.0.1');
    let out = '';
    s.on('data', (d) => (out += d.toString('latin1')));
    s.on('error', () => ok(out));
    s.on('close', () => ok(out));
    s.write(payload);
    setTimeout(() => s.end(), 200);
  });
}

describe('robustness: malformed and hostile input', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway(YAML, { name: 'robustness' });
  });
  after(() => gw.stop());

  const post = (body: string | Uint8Array, headers: Record<string, string> = {}) =>
    fetch(`${gw.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...headers,
      },
      body,
    });

  const cases: [string, () => Promise<Response>, number][] = [
    ['invalid JSON', () => post('{"jsonrpc": "2.0", "id": 1, "method": '), 400],
    ['JSON that is not JSON-RPC', () => post('{"hello": "world"}'), 400],
    ['a bare string', () => post('"initialize"'), 400],
    ['null', () => post('null'), 400],
    ['an empty batch', () => post('[]'), 400],
    ['a batch', () => post('[{"jsonrpc":"2.0","id":1,"method":"ping"}]'), 400],
    ['random bytes as JSON', () => post(randomBytes(4096)), 400],
    ['deeply nested JSON', () => post('['.repeat(50_000) + ']'.repeat(50_000)), 400],
    [
      '3 MiB body',
      () =>
        post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { x: 'a'.repeat(3 << 20) } })),
      413,
    ],
    ['wrong content type', () => post('{}', { 'content-type': 'text/plain' }), 415],
    ['no Accept for SSE', () => post('{}', { accept: 'text/html' }), 406],
    [
      'unknown session',
      () => post('{"jsonrpc":"2.0","id":1,"method":"tools/list"}', { 'mcp-session-id': 'nope' }),
      404,
    ],
    [
      'a 12 KiB garbage bearer',
      () =>
        post('{"jsonrpc":"2.0","id":1,"method":"ping"}', { authorization: 'Bearer ' + 'x'.repeat(12_000) }),
      401,
    ],
    [
      'a 70 KiB header',
      () =>
        post('{"jsonrpc":"2.0","id":1,"method":"ping"}', { authorization: 'Bearer ' + 'x'.repeat(70_000) }),
      431,
    ],
    ['PUT', () => fetch(`${gw.url}/mcp`, { method: 'PUT', body: '{}' }), 405],
  ];
  for (const [name, send, status] of cases) {
    test(`${name} → ${status}, no stack trace`, async () => {
      const r = await send();
      const text = await r.text();
      assert.equal(r.status, status, text.slice(0, 300));
      assert.doesNotMatch(text, /\bat .+\.(ts|js):\d+/, 'no stack trace');
      assert.doesNotMatch(text, /node_modules|\/work\//, 'no file paths');
    });
  }

  test('raw socket garbage and broken HTTP never take the gateway down', async () => {
    const answers = await Promise.all([
      raw(gw.port, randomBytes(2048)),
      raw(gw.port, 'GET / HTTP/1.1\r\nHost: x\r\n' + 'X-A: b\r\n'.repeat(5000) + '\r\n'),
      raw(gw.port, 'POST /mcp HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"jsonrpc"'),
      raw(gw.port, 'POST /mcp HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'),
    ]);
    for (const a of answers) assert.doesNotMatch(a, /\bat .+\.(ts|js):\d+/);
    assert.match(answers[0]!, /^HTTP\/1\.1 400/);
  });

  test('after all that, well-formed clients are served as before', async () => {
    const c = await connect(`${gw.url}/mcp`, { token: TOKEN });
    assert.deepEqual(await toolNames(c), ['echo']);
    const r = await c.callTool({ name: 'echo', arguments: { message: 'still here' } });
    assert.match(JSON.stringify(r.content), /still here/);
    await c.close();
    assert.ok(!gw.logs.some((l) => l.level === 'fatal'), 'nothing fatal was logged');
  });
});
