/**
 * OpenAPI `schema: {url}` through the running gateway, against a real HTTP server serving both the spec
 * and the REST API: the schema is fetched (and counted), tools come from it and calls reach the API;
 * a spec that is down at start-up does not stop the gateway — the target shows failing with the reason,
 * fetching is retried, and once the spec answers the tools appear; a spec larger than
 * `limits.openapiSchemaBytes`, or slower than `limits.openapiSchemaTimeout`, fails the target with that
 * reason; a reload fetches the spec again. An inline string schema (agentgateway's form) works too.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { eventually, startGateway, type TestGateway } from '../helpers/gateway.js';
import { connect, toolNames } from '../helpers/mcp-client.js';

interface Api {
  readonly base: string;
  /** Requests for the spec, in order. */
  specHits: number;
  /** What GET /openapi.json answers: the spec, a status, or a huge body. */
  spec: 'ok' | 'down' | 'huge' | 'v2' | 'hang';
  readonly calls: string[];
  readonly server: Server;
}

function spec(base: string, operationId: string): string {
  return JSON.stringify({
    openapi: '3.0.3',
    info: { title: 'pets', version: '1' },
    servers: [{ url: `${base}/api` }],
    paths: {
      '/pets/{petId}': {
        get: {
          operationId,
          parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {},
        },
      },
    },
  });
}

async function startApi(): Promise<Api> {
  const api = { specHits: 0, spec: 'ok', calls: [] as string[] } as Api;
  const server = createServer((req, res) => {
    if (req.url === '/openapi.json') {
      api.specHits++;
      if (api.spec === 'down') return void res.writeHead(503).end('maintenance');
      if (api.spec === 'hang') return; // headers never come
      res.writeHead(200, { 'content-type': 'application/json' });
      if (api.spec === 'huge') return void res.end(' '.repeat(64 * 1024) + spec(api.base, 'getPet'));
      return void res.end(spec(api.base, api.spec === 'v2' ? 'getPetV2' : 'getPet'));
    }
    api.calls.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: req.url?.split('/').pop(), name: 'Rex' }));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  Object.assign(api, { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  return api;
}

function config(base: string, limits = ''): string {
  return `${limits}binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
          targets:
          - name: pets
            openapi:
              host: ${base}
              schema: {url: "${base}/openapi.json"}
`;
}

async function metric(gw: TestGateway, series: string): Promise<number> {
  const text = await (await fetch(`${gw.statsUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

async function target(gw: TestGateway): Promise<{ status: string; error?: string } | undefined> {
  const s = (await (await fetch(`${gw.adminUrl}/api/summary`)).json()) as {
    targets: { name: string; status: string; error?: string }[];
  };
  return s.targets.find((t) => t.name === 'pets');
}

test('schema {url}: fetched, tools callable, the API reached at the spec server path', async (t) => {
  const api = await startApi();
  t.after(() => new Promise((ok) => api.server.close(ok)));
  const gw = await startGateway(config(api.base), { name: 'openapi-url', watch: true });
  t.after(() => gw.stop());
  const c = await connect(`${gw.url}/mcp`);
  t.after(() => c.close());
  assert.deepEqual(await toolNames(c), ['getPet']);
  const r = await c.callTool({ name: 'getPet', arguments: { path: { petId: '7' } } });
  assert.deepEqual(r.structuredContent, { id: '7', name: 'Rex' });
  assert.deepEqual(api.calls, ['GET /api/pets/7']);
  assert.equal(api.specHits, 1, 'fetched once for the probe and every session of this config');
  assert.equal(await metric(gw, 'portcullis_openapi_schema_fetch_total{result="success"}'), 1);

  // A reload builds the target anew: the spec is fetched again, and its new tools are served.
  api.spec = 'v2';
  gw.writeConfig(config(api.base) + '# reload\n');
  await eventually(
    async () => {
      const c2 = await connect(`${gw.url}/mcp`);
      try {
        return (await toolNames(c2)).includes('getPetV2');
      } finally {
        await c2.close();
      }
    },
    10_000,
    100,
  );
  assert.ok(api.specHits >= 2);
});

test('schema {url} down at start-up: the gateway starts, the target fails with the reason, then recovers', async (t) => {
  const api = await startApi();
  api.spec = 'down';
  t.after(() => new Promise((ok) => api.server.close(ok)));
  const gw = await startGateway(config(api.base), { name: 'openapi-url-down' });
  t.after(() => gw.stop());
  const failing = await eventually(async () => {
    const s = await target(gw);
    return s?.status === 'failing' ? s : undefined;
  }, 10_000);
  assert.match(failing.error ?? '', /OpenAPI schema: HTTP 503/);
  assert.equal((await fetch(`${gw.readinessUrl}/healthz/ready`)).status, 200, 'ready: the gateway serves');
  assert.ok((await metric(gw, 'portcullis_openapi_schema_fetch_total{result="failure"}')) >= 1);

  api.spec = 'ok';
  await eventually(async () => (await target(gw))?.status === 'ok', 20_000, 100);
  const c = await connect(`${gw.url}/mcp`);
  t.after(() => c.close());
  assert.deepEqual(await toolNames(c), ['getPet']);
});

test('limits.openapiSchemaBytes: a larger spec fails the target with that reason', async (t) => {
  const api = await startApi();
  api.spec = 'huge';
  t.after(() => new Promise((ok) => api.server.close(ok)));
  const gw = await startGateway(config(api.base, 'config:\n  limits: {openapiSchemaBytes: 16384}\n'), {
    name: 'openapi-url-huge',
  });
  t.after(() => gw.stop());
  const failing = await eventually(async () => {
    const s = await target(gw);
    return s?.status === 'failing' ? s : undefined;
  }, 10_000);
  assert.match(failing.error ?? '', /larger than limits\.openapiSchemaBytes \(16384 bytes\)/);
});

test('limits.openapiSchemaTimeout: a spec that never answers fails the target with that reason', async (t) => {
  const api = await startApi();
  api.spec = 'hang';
  t.after(() => {
    api.server.closeAllConnections();
    return new Promise((ok) => api.server.close(ok));
  });
  const gw = await startGateway(config(api.base, 'config:\n  limits: {openapiSchemaTimeout: 300ms}\n'), {
    name: 'openapi-url-hang',
  });
  t.after(() => gw.stop());
  const failing = await eventually(async () => {
    const s = await target(gw);
    return s?.status === 'failing' ? s : undefined;
  }, 10_000);
  assert.match(failing.error ?? '', /OpenAPI schema: no answer within 300 ms/);
});

test('schema as an inline string (agentgateway): YAML text in the config, tools callable', async (t) => {
  const api = await startApi();
  t.after(() => new Promise((ok) => api.server.close(ok)));
  const gw = await startGateway(
    `binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
          targets:
          - name: pets
            openapi:
              host: ${api.base}
              schema: |
                openapi: 3.0.3
                info: {title: pets, version: "1"}
                paths:
                  /pets/{petId}:
                    get:
                      operationId: fetchPet
                      parameters:
                      - {name: petId, in: path, required: true, schema: {type: string}}
                      responses: {}
`,
    { name: 'openapi-inline' },
  );
  t.after(() => gw.stop());
  const c = await connect(`${gw.url}/mcp`);
  t.after(() => c.close());
  assert.deepEqual(await toolNames(c), ['fetchPet']);
  const r = await c.callTool({ name: 'fetchPet', arguments: { path: { petId: '9' } } });
  assert.deepEqual(r.structuredContent, { id: '9', name: 'Rex' });
  assert.deepEqual(api.calls, ['GET /pets/9']);
  assert.equal(api.specHits, 0);
});
