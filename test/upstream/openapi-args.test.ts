/**
 * OpenAPI targets check their arguments before any request is built: the tool's input schema (invalid →
 * -32602, nothing sent), path parameters as single encoded segments (`..` never walks the path), and only
 * declared query parameters and headers forwarded — against a real HTTP server that records what it got.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { createUpstreamFactory } from '../../src/mcp/upstream/factory.js';
import { Driver, recordingTelemetry, target } from './driver.js';

const quiet = pino({ level: 'silent' });

const API = {
  openapi: '3.0.3',
  info: { title: 'pets', version: '1' },
  paths: {
    '/v1/pets/{id}': {
      get: {
        operationId: 'getPet',
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } },
          { name: 'X-Trace', in: 'header', schema: { type: 'string' } },
          { name: 'Authorization', in: 'header', schema: { type: 'string' } },
          { name: 'Connection', in: 'header', schema: { type: 'string' } },
        ],
        responses: {},
      },
    },
    '/v1/pets': {
      post: {
        operationId: 'createPet',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['name'],
                properties: {
                  name: { type: 'string', minLength: 1 },
                  email: { type: 'string', format: 'email' },
                  nickname: { type: 'string', nullable: true },
                  data: { type: 'string' },
                },
              },
            },
          },
        },
        responses: {},
      },
    },
  },
};

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

describe('OpenAPI argument checks', () => {
  const factory = createUpstreamFactory({ telemetry: recordingTelemetry() });
  const seen: Seen[] = [];
  let baseUrl = '';
  const api = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  let rpc: Driver;

  before(async () => {
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}/`;
    const up = factory.create(
      target('pets', { kind: 'openapi', baseUrl, schema: API, schemaFile: undefined }),
      {
        logger: quiet,
      },
    );
    rpc = new Driver(up);
    await up.start();
  });
  beforeEach(() => void seen.splice(0));
  after(async () => {
    await factory.close();
    api.closeAllConnections();
    await new Promise<void>((resolve) => api.close(() => resolve()));
  });

  it('refuses arguments that do not match the input schema with -32602, sending nothing', async () => {
    const cases: [unknown, RegExp][] = [
      [{ path: { id: 7 } }, /arguments\/path\/id must be string/],
      [{ path: { id: 'a' }, query: { limit: 0 } }, /arguments\/query\/limit must be >= 1/],
      [{ path: { id: 'a' }, query: { limit: 'ten' } }, /arguments\/query\/limit must be integer/],
      [{}, /must have required property 'path'/],
      ['not an object', /arguments must be object/],
    ];
    for (const [args, message] of cases) {
      const r = await rpc.request('tools/call', { name: 'getPet', arguments: args });
      assert.equal(r.error?.code, -32602, JSON.stringify(args));
      assert.match(r.error!.message, /^Invalid arguments for tool getPet: /);
      assert.match(r.error!.message, message);
      assert.ok(!/\n\s+at /.test(r.error!.message), 'no stack');
    }
    for (const body of [{}, { name: '' }, { name: 'rex', email: 'not-an-email' }]) {
      const r = await rpc.request('tools/call', { name: 'createPet', arguments: { body } });
      assert.equal(r.error?.code, -32602, JSON.stringify(body));
    }
    const named = await rpc.request('tools/call', {
      name: 'createPet',
      arguments: { body: { name: 'a', data: 5 } },
    });
    assert.match(
      named.error!.message,
      /arguments\/body\/data must be string/,
      'a property called data keeps its name',
    );
    assert.equal(seen.length, 0, 'no request reached the API');
    const ok = await rpc.call('tools/call', {
      name: 'createPet',
      arguments: { body: { name: 'rex', nickname: null } },
    });
    assert.deepEqual(ok.structuredContent, { ok: true }, 'OpenAPI 3.0 nullable is honoured');
    assert.equal(seen.length, 1);
  });

  it('a path parameter never walks the path', async () => {
    for (const id of ['..', '.']) {
      const r = await rpc.request('tools/call', { name: 'getPet', arguments: { path: { id } } });
      assert.equal(r.error?.code, -32602);
      assert.match(r.error!.message, /path parameter id cannot be/);
    }
    assert.equal(seen.length, 0, 'GET /v1/pets/.. was not turned into GET /v1/');
    for (const [id, sent] of [
      ['../../admin', '/v1/pets/..%2F..%2Fadmin'],
      ['%2e%2e', '/v1/pets/%252e%252e'],
      ['a?b#c', '/v1/pets/a%3Fb%23c'],
    ]) {
      await rpc.call('tools/call', { name: 'getPet', arguments: { path: { id } } });
      assert.equal(seen.at(-1)?.url, sent);
    }
  });

  it('only declared query parameters and headers are sent; never hop-by-hop or the gateway’s own', async () => {
    await rpc.call(
      'tools/call',
      {
        name: 'getPet',
        arguments: {
          path: { id: 'rex' },
          query: { limit: 5, admin: 'true', debug: '1' },
          header: {
            'x-trace': 't-1',
            cookie: 'session=stolen',
            'x-http-method-override': 'DELETE',
            'x-undeclared': 'no',
            authorization: 'Bearer from-the-model',
            connection: 'close, x-trace',
          },
          cookie: 'top-level=ignored',
        },
      },
      { headers: { authorization: 'Bearer gateway-backend-auth' } },
    );
    const got = seen.at(-1)!;
    assert.equal(got.method, 'GET');
    assert.equal(got.url, '/v1/pets/rex?limit=5');
    assert.equal(got.headers['x-trace'], 't-1');
    assert.equal(got.headers.cookie, undefined);
    assert.equal(got.headers['x-http-method-override'], undefined);
    assert.equal(got.headers['x-undeclared'], undefined);
    assert.equal(got.headers.authorization, 'Bearer gateway-backend-auth', "the gateway's own header wins");
    assert.notEqual(
      got.headers.connection,
      'close, x-trace',
      'hop-by-hop headers are never taken from arguments',
    );

    await rpc.call('tools/call', {
      name: 'getPet',
      arguments: { path: { id: 'rex' }, header: { Authorization: 'Bearer declared' } },
    });
    assert.equal(seen.at(-1)!.headers.authorization, 'Bearer declared', 'a declared header is sent');

    const before = seen.length;
    const split = await rpc.request('tools/call', {
      name: 'getPet',
      arguments: { path: { id: 'rex' }, header: { 'x-trace': 'a\r\nx-injected: 1' } },
    });
    assert.equal(split.error?.code, -32602);
    assert.match(split.error!.message, /header x-trace holds a character not allowed/);
    assert.equal(seen.length, before, 'nothing sent');
  });
});
