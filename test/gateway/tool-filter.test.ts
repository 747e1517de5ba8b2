/**
 * Static per-target tool shaping through the whole gateway (config → normalize → MCP layer):
 * `exclude` alone hides only the excluded tools; `include` keeps only matching ones. Regression: an
 * absent `include` once normalized to `[]` and hid every tool of the target.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { startGateway } from '../helpers/gateway.js';
import { connect, toolNames } from '../helpers/mcp-client.js';

const EVERYTHING = resolve('node_modules/@modelcontextprotocol/server-everything/dist/index.js');

test('exclude-only and include filters on multiplexed stdio targets', async (t) => {
  const gw = await startGateway(
    `binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
          targets:
          - name: all
            stdio: {cmd: node, args: ["${EVERYTHING}", "stdio"]}
          - name: trimmed
            stdio: {cmd: node, args: ["${EVERYTHING}", "stdio"]}
            tools: {exclude: ["trigger-*", "simulate-research-query"]}
          - name: getters
            stdio: {cmd: node, args: ["${EVERYTHING}", "stdio"]}
            tools: {include: ["get-*"], exclude: ["get-env"]}
`,
    { name: 'tool-filter' },
  );
  t.after(() => gw.stop());
  const c = await connect(`${gw.url}/mcp`);
  t.after(() => c.close());
  const names = await toolNames(c);
  const of = (prefix: string) =>
    names.filter((n) => n.startsWith(prefix + '_')).map((n) => n.slice(prefix.length + 1));
  const all = of('all');
  assert.ok(all.includes('echo') && all.includes('trigger-long-running-operation'), all.join(', '));
  assert.deepEqual(
    of('trimmed').sort(),
    all.filter((n) => !n.startsWith('trigger-') && n !== 'simulate-research-query').sort(),
  );
  assert.deepEqual(of('getters').sort(), all.filter((n) => n.startsWith('get-') && n !== 'get-env').sort());
  const sum = await c.callTool({ name: 'trimmed_get-sum', arguments: { a: 1, b: 2 } });
  assert.match(JSON.stringify(sum.content), /3/);
  await assert.rejects(
    c.callTool({ name: 'getters_get-env', arguments: {} }),
    (e: unknown) => e instanceof McpError && e.code === -32602,
  );
});
