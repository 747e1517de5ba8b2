import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { createUpstreamFactory } from '../../src/mcp/upstream/factory.js';
import { openApiTools } from '../../src/mcp/upstream/openapi-tools.js';
import { freePort } from '../fixtures/spawn.js';
import { Driver, firstText, recordingTelemetry, target, type Json } from './driver.js';

const quiet = pino({ level: 'silent' });

const PETSTORE = {
  openapi: '3.0.3',
  info: { title: 'pets', version: '1' },
  paths: {
    '/pets': {
      get: { operationId: 'listPets', summary: 'List pets', responses: {} },
      post: {
        operationId: 'createPet',
        description: 'Create a pet',
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } },
        },
        responses: {},
      },
    },
    '/pets/{petId}': {
      parameters: [{ $ref: '#/components/parameters/PetId' }],
      get: {
        operationId: 'getPet',
        parameters: [
          { name: 'verbose', in: 'query', schema: { type: 'boolean' } },
          { name: 'x-trace', in: 'header', required: true, schema: { type: 'string' } },
        ],
        responses: {},
      },
      delete: { operationId: 'deletePet', responses: {} },
    },
    '/broken': { get: { operationId: 'broken', responses: {} } },
    '/untitled': { get: { responses: {} } },
  },
  components: {
    parameters: { PetId: { name: 'petId', in: 'path', required: true, schema: { type: 'string' } } },
    schemas: {
      Pet: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string' }, friend: { $ref: '#/components/schemas/Pet' } },
      },
    },
  },
};

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

describe('OpenAPI upstream', () => {
  const factory = createUpstreamFactory({ telemetry: recordingTelemetry() });
  const seen: Seen[] = [];
  let baseUrl = '';
  const api = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const json = (status: number, v: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(v));
      };
      const url = new URL(req.url!, 'http://api');
      if (req.method === 'GET' && url.pathname === '/api/pets') return json(200, [{ name: 'rex' }]);
      if (req.method === 'POST' && url.pathname === '/api/pets')
        return json(201, { created: JSON.parse(body) });
      if (req.method === 'GET' && url.pathname.startsWith('/api/pets/')) {
        return json(200, {
          id: decodeURIComponent(url.pathname.slice('/api/pets/'.length)),
          verbose: url.searchParams.get('verbose'),
          trace: req.headers['x-trace'],
        });
      }
      if (req.method === 'DELETE') return void res.writeHead(204).end();
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such thing');
    });
  });

  before(async () => {
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}/api/`;
  });
  after(async () => {
    await factory.close();
    api.closeAllConnections();
    await new Promise<void>((resolve) => api.close(() => resolve()));
  });

  async function connect(url = baseUrl): Promise<Driver> {
    const up = factory.create(
      target('pets', { kind: 'openapi', baseUrl: url, schema: PETSTORE, schemaFile: undefined }),
      {
        logger: quiet,
      },
    );
    const rpc = new Driver(up);
    await up.start();
    return rpc;
  }

  it('answers initialize, ping and tools/list itself', async () => {
    const rpc = await connect();
    const init = await rpc.call('initialize', { protocolVersion: '2025-06-18', capabilities: {} });
    assert.equal(init.protocolVersion, '2025-06-18');
    assert.deepEqual(init.capabilities, { tools: {} });
    assert.deepEqual(await rpc.call('ping'), {});
    const { tools } = (await rpc.call('tools/list')) as { tools: Json[] };
    assert.deepEqual(
      tools.map((t) => t.name),
      ['listPets', 'createPet', 'getPet', 'deletePet', 'broken'],
    );
    const getPet = tools.find((t) => t.name === 'getPet')!;
    assert.deepEqual(getPet.inputSchema, {
      type: 'object',
      properties: {
        path: { type: 'object', properties: { petId: { type: 'string' } }, required: ['petId'] },
        query: { type: 'object', properties: { verbose: { type: 'boolean' } } },
        header: { type: 'object', properties: { 'x-trace': { type: 'string' } }, required: ['x-trace'] },
      },
      required: ['path', 'header'],
    });
    assert.equal(tools.find((t) => t.name === 'listPets')!.description, 'List pets');
    const r = await rpc.request('resources/list');
    assert.equal(r.error?.code, -32601);
  });

  it('turns tools/call into the HTTP request: path, query, header, body', async () => {
    const rpc = await connect();
    const res = await rpc.call(
      'tools/call',
      {
        name: 'getPet',
        arguments: { path: { petId: 'a b/c' }, query: { verbose: true }, header: { 'x-trace': 't-1' } },
      },
      { headers: { authorization: 'Bearer api-key' } },
    );
    assert.deepEqual(res.structuredContent, { id: 'a b/c', verbose: 'true', trace: 't-1' });
    assert.deepEqual(JSON.parse(firstText(res)), res.structuredContent);
    const req = seen.at(-1)!;
    assert.equal(req.url, '/api/pets/a%20b%2Fc?verbose=true');
    assert.equal(req.headers.authorization, 'Bearer api-key');
    assert.equal(req.headers.accept, 'application/json');

    const created = await rpc.call('tools/call', { name: 'createPet', arguments: { body: { name: 'tom' } } });
    assert.deepEqual(created.structuredContent, { created: { name: 'tom' } });
    assert.equal(seen.at(-1)!.headers['content-type'], 'application/json');
  });

  it('returns non-object JSON as text only and an empty 2xx as empty text', async () => {
    const rpc = await connect();
    const list = await rpc.call('tools/call', { name: 'listPets', arguments: {} });
    assert.equal(list.structuredContent, undefined);
    assert.deepEqual(JSON.parse(firstText(list)), [{ name: 'rex' }]);
    const del = await rpc.call('tools/call', { name: 'deletePet', arguments: { path: { petId: '1' } } });
    assert.equal(firstText(del), '');
    assert.equal(del.isError, undefined);
  });

  it('reports a non-2xx status as a tool error naming it', async () => {
    const rpc = await connect();
    const res = await rpc.call('tools/call', { name: 'broken', arguments: {} });
    assert.equal(res.isError, true);
    assert.equal(firstText(res), "Upstream API call for tool 'broken' failed with status 404: no such thing");
  });

  it('rejects unknown tools and missing path parameters', async () => {
    const rpc = await connect();
    const unknown = await rpc.request('tools/call', { name: 'nope', arguments: {} });
    assert.deepEqual(unknown.error, { code: -32602, message: 'Unknown tool: nope' });
    const missing = await rpc.request('tools/call', {
      name: 'getPet',
      arguments: { path: {}, header: { 'x-trace': 't' } },
    });
    assert.equal(missing.error?.code, -32602);
    assert.match(missing.error!.message, /petId/);
  });

  it('answers a network failure with a JSON-RPC error naming the target', async () => {
    const rpc = await connect(`http://127.0.0.1:${await freePort()}`);
    const r = await rpc.request('tools/call', { name: 'listPets', arguments: {} });
    assert.equal(r.error?.message, 'target "pets" failed: connection refused');
    assert.equal(r.upstreamCode, 'UPSTREAM_CONNECT_REFUSED');
  });

  it('fails start() on a schema without paths', async () => {
    const up = factory.create(target('bad', { kind: 'openapi', baseUrl, schema: { openapi: '3.0.0' } }), {
      logger: quiet,
    });
    await assert.rejects(
      up.start(),
      /target "bad": invalid OpenAPI schema: the OpenAPI schema has no "paths"/,
    );
  });

  it('inlines $refs, including recursive ones, and keeps the body required', () => {
    const createPet = openApiTools(PETSTORE).find((t) => t.name === 'createPet')!;
    assert.deepEqual(createPet.inputSchema, {
      type: 'object',
      properties: {
        body: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string' }, friend: {} },
        },
      },
      required: ['body'],
    });
    assert.throws(
      () =>
        openApiTools({ paths: { '/a': { get: { operationId: 'x' } }, '/b': { get: { operationId: 'x' } } } }),
      /duplicate operationId "x"/,
    );
  });
});
