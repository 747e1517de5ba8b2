/**
 * `prefixMode: never` with two targets (agentgateway's behaviour): tools and prompts keep their own
 * names, a call goes to the target that lists the name, a name both targets serve is left out of the
 * list and unknown on call (unless the caller may see only one of them); resources stay
 * `<target>+<uri>`. Two real MCP servers (SDK McpServer over Streamable HTTP) behind the gateway, an
 * MCP SDK client in front — stateful and stateless.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { z } from 'zod';
import { serveHttp, type ServedFixture } from '../fixtures/serve.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { connect, toolNames } from '../helpers/mcp-client.js';

function server(name: string, ownTool: string): McpServer {
  const s = new McpServer({ name, version: '1' });
  s.registerTool(ownTool, { inputSchema: { text: z.string() } }, ({ text }) => ({
    content: [{ type: 'text', text: `${name}:${text}` }],
  }));
  s.registerTool('shared', {}, () => ({ content: [{ type: 'text', text: name }] }));
  s.registerPrompt(`${name}-prompt`, {}, () => ({
    messages: [{ role: 'user', content: { type: 'text', text: `prompt of ${name}` } }],
  }));
  s.registerResource('doc', `mem://${name}/doc`, {}, (uri) => ({
    contents: [{ uri: uri.href, text: `doc of ${name}` }],
  }));
  return s;
}

function text(r: unknown): string {
  return JSON.stringify((r as { content?: unknown }).content ?? r);
}

describe('prefixMode never with several targets', () => {
  let alpha: ServedFixture;
  let beta: ServedFixture;
  let gw: TestGateway;
  const clients: Client[] = [];

  before(async () => {
    alpha = await serveHttp(() => server('alpha', 'upper'));
    beta = await serveHttp(() => server('beta', 'lower'));
    const backend = (mode: string) => `    backends:
      - mcp:
          prefixMode: never
          statefulMode: ${mode}
          targets:
            - { name: a, mcp: { host: "${alpha.url}" } }
            - { name: b, mcp: { host: "${beta.url}" } }
`;
    gw = await startGateway(
      `
gateways:
  default:
    port: 0
routes:
  - name: stateful
    matches: [{ path: { pathPrefix: /stateful } }]
${backend('stateful')}  - name: stateless
    matches: [{ path: { pathPrefix: /stateless } }]
${backend('stateless')}  - name: authz
    matches: [{ path: { pathPrefix: /authz } }]
    policies:
      mcpAuthorization:
        rules: ['true', { deny: 'mcp.tool.name == "shared" && mcp.tool.target == "a"' }]
${backend('stateful')}`,
      { name: 'prefix-never' },
    );
  });

  after(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await gw?.stop();
    await alpha?.close();
    await beta?.close();
  });

  for (const mode of ['stateful', 'stateless']) {
    test(`${mode}: unprefixed names, routed to the owning target; a shared name is dropped`, async () => {
      const c = await connect(`${gw.url}/${mode}`);
      clients.push(c);
      assert.deepEqual(await toolNames(c), ['lower', 'upper']);
      assert.match(text(await c.callTool({ name: 'upper', arguments: { text: 'x' } })), /alpha:x/);
      assert.match(text(await c.callTool({ name: 'lower', arguments: { text: 'y' } })), /beta:y/);

      // Served by both targets: not listed, and a call is refused like an unknown name.
      await assert.rejects(c.callTool({ name: 'shared', arguments: {} }), /Unknown tool/);
      await assert.rejects(c.callTool({ name: 'nowhere', arguments: {} }), /Unknown tool/);

      const prompts = (await c.listPrompts()).prompts.map((p) => p.name).sort();
      assert.deepEqual(prompts, ['alpha-prompt', 'beta-prompt']);
      const p = await c.getPrompt({ name: 'beta-prompt' });
      assert.match(JSON.stringify(p.messages), /prompt of beta/);

      // Resources keep the target prefix (agentgateway), so equal URIs never collide.
      const uris = (await c.listResources()).resources.map((r) => r.uri).sort();
      assert.deepEqual(uris, ['a+mem://alpha/doc', 'b+mem://beta/doc']);
      const read = await c.readResource({ uri: 'b+mem://beta/doc' });
      assert.match(JSON.stringify(read.contents), /doc of beta/);
    });
  }

  test('a name only one target lets the caller see is listed and routed there', async () => {
    const c = await connect(`${gw.url}/authz`);
    clients.push(c);
    assert.deepEqual(await toolNames(c), ['lower', 'shared', 'upper']);
    assert.match(text(await c.callTool({ name: 'shared', arguments: {} })), /beta/);
  });
});
