/**
 * An OpenAPI target through the whole gateway: operations become tools, authorization rules apply to
 * them like to any tool, and a call becomes a real HTTP request to the API.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { startGateway } from '../helpers/gateway.js';
import { connect, toolNames } from '../helpers/mcp-client.js';

test('openapi target: tools from operations, filtered by rules, calls hit the API', async (t) => {
  const seen: string[] = [];
  const api = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: req.url?.split('/').pop(), name: 'Rex' }));
  });
  await new Promise<void>((ok) => api.listen(0, '127.0.0.1', ok));
  t.after(() => new Promise((ok) => api.close(ok)));
  const base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  const schema = JSON.stringify({
    openapi: '3.0.3',
    info: { title: 'pets', version: '1' },
    servers: [{ url: base }],
    paths: {
      '/pets/{petId}': {
        get: {
          operationId: 'getPet',
          summary: 'Get a pet',
          parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {},
        },
        delete: {
          operationId: 'deletePet',
          parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {},
        },
      },
    },
  });
  const gw = await startGateway(
    `binds:
- port: 0
  listeners:
  - routes:
    - policies:
        mcpAuthorization:
          rules: ['mcp.tool.name == "getPet" && mcp.tool.target == "pets"']
      backends:
      - mcp:
          targets:
          - name: pets
            openapi:
              host: ${base}
              schema: {file: pets.json}
`,
    { name: 'openapi', files: { 'pets.json': schema } },
  );
  t.after(() => gw.stop());
  const c = await connect(`${gw.url}/mcp`);
  t.after(() => c.close());
  assert.deepEqual(await toolNames(c), ['getPet'], 'deletePet is hidden by the rules');
  const r = await c.callTool({ name: 'getPet', arguments: { path: { petId: '42' } } });
  assert.deepEqual(r.structuredContent, { id: '42', name: 'Rex' });
  assert.deepEqual(seen, ['GET /pets/42']);
  await assert.rejects(
    c.callTool({ name: 'deletePet', arguments: { path: { petId: '42' } } }),
    (e: unknown) => e instanceof McpError && e.code === -32602,
  );
  assert.deepEqual(seen, ['GET /pets/42'], 'the denied call never reached the API');
});
