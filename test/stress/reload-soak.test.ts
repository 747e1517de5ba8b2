/**
 * Reload under load (a >10 s soak, so in `npm run test:stress`): three sessions call tools while the
 * config file is rewritten 20 times — good, good, broken — and no call fails.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { startGateway } from '../helpers/gateway.js';
import { connect } from '../helpers/mcp-client.js';

const EVERYTHING = resolve('node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const PUB_KEY = resolve('test/fixtures/seed-jwt/pub-key');

function config(o: { rules: string[] }): string {
  const rules = o.rules.map((r) => `          - '${r}'`).join('\n');
  return `binds:
- port: 0
  listeners:
  - routes:
    - policies:
        jwtAuth:
          issuer: agentgateway.dev
          audiences: [test.agentgateway.dev]
          jwks:
            file: ${PUB_KEY}
        mcpAuthorization:
          rules:
${rules}
      backends:
      - mcp:
          targets:
          - name: everything
            stdio:
              cmd: node
              args: ["${EVERYTHING}", "stdio"]
`;
}

describe('config reload under load', () => {
  test('reload under load: 3 sessions calling tools while the config is rewritten 20 times → 0 failures', async (t) => {
    const a = config({ rules: ['mcp.tool.name == "echo"'] });
    const b = config({ rules: ['mcp.tool.name == "echo" || mcp.tool.name == "get-sum"'] });
    const bad = a.replace('mcpAuthorization:', 'mcpAuthorizationTypo:');
    const gw = await startGateway(a, { watch: true, name: 'reload-load' });
    t.after(() => gw.stop());
    const clients = await Promise.all([0, 1, 2].map(() => connect(`${gw.url}/mcp`)));
    let calls = 0;
    const failures: string[] = [];
    let running = true;
    const loops = clients.map(async (c, i) => {
      while (running) {
        try {
          const r = await c.callTool({ name: 'echo', arguments: { message: `m${i}-${calls}` } });
          if (r.isError) failures.push(JSON.stringify(r.content));
          calls++;
        } catch (e) {
          failures.push((e as Error).message);
        }
      }
    });
    const started = Date.now();
    for (let i = 0; i < 20; i++) {
      gw.writeConfig([a, b, bad][i % 3]!);
      // Spread the 20 rewrites over ~10 s; each is picked up by the 250 ms debounce.
      await new Promise((r) => setTimeout(r, 500));
    }
    while (Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 100));
    running = false;
    await Promise.all(loops);
    for (const c of clients) await c.close();
    assert.ok(calls > 0, 'made calls');
    assert.deepEqual(failures, [], `${failures.length} of ${calls} calls failed`);
  });
});
