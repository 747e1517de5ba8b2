/**
 * agentgateway's MCP naming forms through the running gateway: target names containing `_`
 * (multiplexed names split after the longest target name) and `prefixMode: never`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { everythingStdio } from '../fixtures/spawn.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { connect, toolNames } from '../helpers/mcp-client.js';

describe('target names with "_" and prefixMode never', () => {
  let gw: TestGateway;
  const clients: Client[] = [];

  before(async () => {
    const e = everythingStdio();
    const stdio = `{ cmd: ${JSON.stringify(e.cmd)}, args: ${JSON.stringify(e.args)} }`;
    gw = await startGateway(
      `
gateways:
  default:
    port: 0
routes:
  - name: multi
    matches: [{ path: { pathPrefix: /multi } }]
    backends:
      - mcp:
          targets:
            - { name: my, stdio: ${stdio} }
            - { name: my_everything, stdio: ${stdio} }
  - name: never
    matches: [{ path: { pathPrefix: /never } }]
    backends:
      - mcp:
          prefixMode: never
          targets:
            - { name: only_one, stdio: ${stdio} }
`,
      { name: 'target-names' },
    );
  });

  after(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await gw?.stop();
  });

  test('tools of a target named with "_" are prefixed with its whole name and callable', async () => {
    const c = await connect(`${gw.url}/multi`);
    clients.push(c);
    const names = await toolNames(c);
    assert.ok(names.includes('my_echo'), names.join(','));
    assert.ok(names.includes('my_everything_echo'), names.join(','));
    const r = await c.callTool({ name: 'my_everything_echo', arguments: { message: 'from the long one' } });
    assert.match(JSON.stringify(r.content), /from the long one/);
    const r2 = await c.callTool({ name: 'my_echo', arguments: { message: 'from the short one' } });
    assert.match(JSON.stringify(r2.content), /from the short one/);
  });

  test('prefixMode never leaves names untouched', async () => {
    const c = await connect(`${gw.url}/never`);
    clients.push(c);
    const names = await toolNames(c);
    assert.ok(names.includes('echo'), names.join(','));
    assert.ok(!names.some((n) => n.startsWith('only_one_')));
    const r = await c.callTool({ name: 'echo', arguments: { message: 'plain' } });
    assert.match(JSON.stringify(r.content), /plain/);
  });
});
