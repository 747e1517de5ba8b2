/**
 * The Playground's MCP Inspector features against the real gateway and server-everything over stdio:
 * progress and Cancel for a long call, search across tools/prompts/resources, request and response
 * bodies in the HTTP panel (token masked), and the "Connect a client" snippets. One browser for the file.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { quickstartTokens } from '../../src/cli/quickstart.js';
import { serveHttp, type ServedFixture } from '../fixtures/serve.js';
import { eventually, startGateway, type TestGateway } from '../helpers/gateway.js';
import {
  ensureUiBuilt,
  launchBrowser,
  openPlayground,
  type PlaygroundPage,
  type TestBrowser,
} from '../helpers/playground.js';

const EVERYTHING = `${process.cwd()}/node_modules/@modelcontextprotocol/server-everything/dist/index.js`;
/** An upstream whose `slow` tool reports progress until cancelled, and records the cancellation. */
function slowServer(seen: { cancelled: number; reason: unknown }): McpServer {
  const mcp = new McpServer({ name: 'slow', version: '1.0.0' });
  mcp.registerTool('slow', { description: 'Reports progress until cancelled' }, async (extra) => {
    const token = extra._meta?.progressToken;
    for (let i = 1; !extra.signal.aborted && i < 600; i++) {
      await new Promise((r) => setTimeout(r, 100));
      if (token !== undefined && !extra.signal.aborted)
        await extra.sendNotification({
          method: 'notifications/progress',
          params: { progressToken: token, progress: i, message: `step ${i}` },
        });
    }
    if (extra.signal.aborted) {
      seen.cancelled++;
      seen.reason = extra.signal.reason;
    }
    return { content: [{ type: 'text', text: 'done' }] };
  });
  return mcp;
}

const yaml = (slowUrl: string) => `
binds:
- port: 0
  listeners:
  - routes:
    - policies:
        cors:
          allowOrigins: ["*"]
          allowHeaders: ["*"]
          exposeHeaders: ["Mcp-Session-Id"]
        jwtAuth:
          mode: optional
          issuer: agentgateway.dev
          audiences: [test.agentgateway.dev]
          jwks:
            file: ${process.cwd()}/manifests/jwt/pub-key
        mcpAuthorization:
          rules:
          - 'mcp.tool.name != "get-env"'
          - 'has(mcp.prompt)'
          - 'has(mcp.resource)'
      backends:
      - mcp:
          targets:
          - name: everything
            stdio:
              cmd: node
              args: ["${EVERYTHING}", "stdio"]
    - matches:
      - path: {pathPrefix: /slow}
      policies:
        cors:
          allowOrigins: ["*"]
          allowHeaders: ["*"]
          exposeHeaders: ["Mcp-Session-Id"]
      backends:
      - mcp:
          targets:
          - name: slow
            mcp: {host: "${slowUrl}"}
`;

describe('Playground: progress, cancel, search, HTTP bodies, client snippets (browser)', () => {
  let gw: TestGateway;
  let slow: ServedFixture;
  const seen = { cancelled: 0, reason: undefined as unknown };
  let browser: TestBrowser | undefined;
  const token = quickstartTokens().find((t) => t.name === 'example1')?.token ?? '';

  before(async () => {
    await ensureUiBuilt();
    slow = await serveHttp(() => slowServer(seen));
    gw = await startGateway(yaml(slow.url), { demoTokens: quickstartTokens(), name: 'ui-inspector' });
  });
  after(async () => {
    await browser?.close();
    await gw?.stop();
    await slow?.close();
  });

  async function connected(t: Parameters<typeof launchBrowser>[0]): Promise<PlaygroundPage | undefined> {
    browser ??= await launchBrowser(t);
    if (!browser) return undefined;
    const pg = await openPlayground(browser, gw.adminUrl);
    await pg.setToken(token);
    assert.equal(await pg.connect(), undefined);
    return pg;
  }

  test('a long call shows progress; Cancel sends notifications/cancelled and says "cancelled"', async (t) => {
    const pg = await connected(t);
    if (!pg) return;
    const { page } = pg;
    await pg.openTab('Tools');
    await page
      .getByRole('list', { name: 'Available Tools' })
      .getByRole('button', { name: /^trigger-long-running-operation\b/ })
      .click();
    await page.locator('#pg-arg-duration').fill('30');
    await page.locator('#pg-arg-steps').fill('30');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const bar = page.getByTestId('tool-progress');
    await bar.getByText(/^\d+ \/ 30/).waitFor();
    assert.equal(await bar.getByRole('progressbar').getAttribute('max'), '30');
    await pg.screenshot('inspector-progress');
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page
      .getByTestId('tool-result')
      .getByText(/cancelled/i)
      .waitFor();
    assert.equal(
      await page.getByRole('button', { name: 'Cancel', exact: true }).count(),
      0,
      'no Cancel once stopped',
    );
    // The page really sent the cancellation (the HTTP panel lists what the SDK client posted).
    await page.locator('details.traffic summary').click();
    await page.locator('details.traffic td', { hasText: 'notifications/cancelled' }).first().waitFor();
    // The session stays usable after a cancel.
    assert.match((await pg.runTool('echo', { message: 'still here' })).result ?? '', /still here/);
    assert.deepEqual(pg.consoleErrors, []);
    await page.close();
  });

  test('Cancel reaches the upstream: the gateway forwards notifications/cancelled and the tool stops', async (t) => {
    browser ??= await launchBrowser(t);
    if (!browser) return;
    const endpoints = (await (await fetch(`${gw.adminUrl}/api/endpoints`)).json()) as { url: string }[];
    const url = endpoints.find((e) => e.url.endsWith('/slow'))?.url ?? '';
    const pg = await openPlayground(browser, gw.adminUrl, { endpoint: url });
    const { page } = pg;
    assert.equal(await pg.connect(), undefined);
    await page
      .getByRole('list', { name: 'Available Tools' })
      .getByRole('button', { name: /^slow\b/ })
      .click();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    // No total: an indeterminate bar with the count and the server's message.
    const bar = page.getByTestId('tool-progress');
    await bar.getByText(/^\d+ — step \d+$/).waitFor();
    assert.equal(await bar.getByRole('progressbar').getAttribute('value'), null, 'indeterminate');
    assert.equal(seen.cancelled, 0);
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page
      .getByTestId('tool-result')
      .getByText(/cancelled/i)
      .waitFor();
    await eventually(() => seen.cancelled === 1, 5000);
    assert.ok(seen.reason !== undefined, 'the upstream request was aborted with a reason');
    await page.close();
  });

  test('search filters tools, prompts and resources by name, title and description', async (t) => {
    const pg = await connected(t);
    if (!pg) return;
    const { page } = pg;
    const all = await pg.toolNames();
    assert.ok(all.length > 5, `server-everything lists many tools: ${all.join(', ')}`);
    assert.ok(!all.includes('get-env'), 'a denied tool is not listed');
    const search = page.getByLabel('Search tools, prompts and resources');
    await search.fill('sum');
    assert.deepEqual(await pg.toolNames(), ['get-sum']);
    await page.getByRole('tab', { name: `Tools (1 of ${all.length})` }).waitFor();
    // Matches the description, not only the name: "Demonstrates a long running operation …".
    await search.fill('progress updates');
    assert.deepEqual(await pg.toolNames(), ['trigger-long-running-operation']);
    await search.fill('no such thing anywhere');
    assert.deepEqual(await pg.toolNames(), []);
    // Prompts and resources are searched too.
    await search.fill('simple');
    await pg.openTab('Prompts');
    const prompts = await page
      .getByRole('list', { name: 'Available Prompts' })
      .locator('.item-title')
      .allInnerTexts();
    assert.ok(prompts.length >= 1 && prompts.every((p) => /simple/i.test(p)), prompts.join(', '));
    await search.fill('');
    assert.deepEqual(await pg.toolNames(), all);
    await page.close();
  });

  test('the HTTP panel shows each exchange: headers (token masked), request and response bodies', async (t) => {
    const pg = await connected(t);
    if (!pg) return;
    const { page } = pg;
    assert.match((await pg.runTool('echo', { message: 'bodies please' })).result ?? '', /bodies please/);
    const panel = page.locator('details.traffic');
    await panel.locator('summary').click();
    const row = panel.locator('tr', { has: page.locator('td', { hasText: /^tools\/call$/ }) }).first();
    await row.getByRole('button').click();
    const exchange = panel.getByRole('region', { name: /^Exchange \d+$/ });
    const headers = await exchange.getByTestId('request-headers').innerText();
    assert.match(headers, /authorization: Bearer ••••••/i);
    assert.ok(!headers.includes(token), 'the token is masked');
    const body = JSON.parse(await exchange.getByTestId('request-body').innerText()) as {
      method: string;
      params: { name: string; arguments: { message: string } };
    };
    assert.equal(body.method, 'tools/call');
    assert.equal(body.params.name, 'echo');
    assert.equal(body.params.arguments.message, 'bodies please');
    // The gateway answers a POST as JSON or as an SSE stream; either way the result is shown.
    await eventually(async () => /Echo: bodies please/.test(await exchange.innerText()), 5000);
    const text = await exchange.innerText();
    assert.match(text, /POST http:\/\/localhost:\d+\/mcp → 200/);
    // A call that reports progress is answered as an SSE stream: shown as its events.
    await page
      .getByRole('list', { name: 'Available Tools' })
      .getByRole('button', { name: /^trigger-long-running-operation\b/ })
      .click();
    await page.locator('#pg-arg-duration').fill('0.2');
    await page.locator('#pg-arg-steps').fill('2');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page
      .getByTestId('tool-result')
      .getByText(/Long running operation completed/)
      .waitFor();
    const calls = panel.locator('tr', { has: page.locator('td', { hasText: /^tools\/call$/ }) });
    await calls.last().getByRole('button').click();
    const events = panel.getByRole('region', { name: /^Exchange \d+$/ }).getByTestId('response-events');
    await eventually(async () => /Long running operation completed/.test(await events.innerText()), 5000);
    const streamed = await events.innerText();
    assert.match(streamed, /notifications\/progress/);
    assert.match(streamed, /data: /);
    assert.ok(!(await panel.innerText()).includes(token), 'the token appears nowhere in the panel');
    await pg.screenshot('inspector-http-panel');
    await page.close();
  });

  test('"Connect a client": five copy-ready snippets carrying the token', async (t) => {
    const pg = await connected(t);
    if (!pg) return;
    const { page } = pg;
    const panel = page.locator('#clients');
    await panel.locator('summary').click();
    await panel.getByRole('region', { name: 'MCP Inspector' }).waitFor();
    const endpoints = (await (await fetch(`${gw.adminUrl}/api/endpoints`)).json()) as { url: string }[];
    const url = endpoints[0]?.url ?? '';
    assert.match(url, /\/mcp$/);
    const read = async (name: string) =>
      panel.getByRole('region', { name, exact: true }).locator('pre').innerText();
    const desktop = JSON.parse(await read('Claude Desktop')) as {
      mcpServers: { portcullis: { command: string; args: string[]; env: Record<string, string> } };
    };
    assert.equal(desktop.mcpServers.portcullis.command, 'npx');
    assert.ok(desktop.mcpServers.portcullis.args.includes('mcp-remote'));
    assert.ok(desktop.mcpServers.portcullis.args.includes(url));
    assert.equal(desktop.mcpServers.portcullis.env['AUTH_HEADER'], `Bearer ${token}`);
    const cursor = JSON.parse(await read('Cursor')) as {
      mcpServers: { portcullis: { url: string; headers: Record<string, string> } };
    };
    assert.deepEqual(cursor.mcpServers.portcullis, { url, headers: { Authorization: `Bearer ${token}` } });
    const vscode = JSON.parse(await read('VS Code')) as {
      servers: { portcullis: { type: string; url: string } };
    };
    assert.equal(vscode.servers.portcullis.type, 'http');
    assert.equal(vscode.servers.portcullis.url, url);
    const claudeCode = await read('Claude Code');
    assert.match(claudeCode, /^claude mcp add --transport http portcullis /);
    assert.ok(claudeCode.includes(url) && claudeCode.includes(`Authorization: Bearer ${token}`));
    const inspector = await read('MCP Inspector');
    assert.match(inspector, /^npx @modelcontextprotocol\/inspector /);
    assert.ok(inspector.includes(`Authorization: Bearer ${token}`));
    // Without a token: a placeholder, never an empty header.
    await pg.setToken('');
    await eventually(async () => (await read('Cursor')).includes('<TOKEN>'), 5000);
    await page.close();
  });
});
