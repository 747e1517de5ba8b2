/**
 * Takes the screenshots in docs/images/ (referenced from docs/admin.md): the quickstart's gateway with
 * server-everything, driven in Debian's chromium. Run by hand after a UI change:
 *
 *   npx tsx scripts/screenshots.ts
 *
 * Element screenshots at 1× keep the PNGs small. Needs /usr/bin/chromium (or $CHROMIUM_PATH).
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { chromium, type Locator, type Page } from 'playwright-core';
import { quickstartTokens } from '../src/cli/quickstart.js';
import { startGateway } from '../test/helpers/gateway.js';
import { CHROMIUM_FLAGS, chromiumPath, ensureUiBuilt, PlaygroundPage } from '../test/helpers/playground.js';

const OUT = 'docs/images';
const CONFIG = `# The Playground screenshots' gateway (scripts/screenshots.ts)
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
            file: \${PORTCULLIS_ROOT}/manifests/jwt/pub-key
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
              args: ["\${PORTCULLIS_ROOT}/node_modules/@modelcontextprotocol/server-everything/dist/index.js", "stdio"]
`;

async function shot(target: Locator | Page, name: string): Promise<void> {
  const path = join(OUT, `${name}.png`);
  await target.screenshot({ path, animations: 'disabled' });
  console.log(`${path}  ${Math.round(statSync(path).size / 1024)} KiB`);
}

async function main(): Promise<void> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('chromium is not installed (apt-get install -y chromium)');
  await ensureUiBuilt();
  mkdirSync(OUT, { recursive: true });
  const tokens = quickstartTokens();
  const gw = await startGateway(CONFIG, {
    demoTokens: tokens,
    name: 'screenshots',
    env: { PORTCULLIS_ROOT: process.cwd() },
  });
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS });
  const clients: Client[] = [];
  try {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 860 },
      deviceScaleFactor: 1,
    });
    const page = await context.newPage();
    const pg = new PlaygroundPage(page);

    // Playground: connected as example1, a long call in progress.
    await page.goto(`${gw.adminUrl}/ui/playground/`);
    await page.getByLabel('MCP endpoint').locator('option').first().waitFor({ state: 'attached' });
    await pg.pickDemoToken('example1');
    await pg.connect();
    await page
      .getByRole('list', { name: 'Available Tools' })
      .getByRole('button', { name: /^trigger-long-running-operation\b/ })
      .click();
    await page.locator('#pg-arg-duration').fill('20');
    await page.locator('#pg-arg-steps').fill('10');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page
      .getByTestId('tool-progress')
      .getByText(/^[2-9] \/ 10/)
      .waitFor({ timeout: 20_000 });
    await shot(page.locator('#items'), 'playground-progress');
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page
      .getByTestId('tool-result')
      .getByText(/cancelled/i)
      .waitFor();

    // Search.
    await page.getByLabel('Search tools, prompts and resources').fill('resource');
    await shot(page.locator('#items'), 'playground-search');
    await page.getByLabel('Search tools, prompts and resources').fill('');

    // The HTTP panel with one exchange open.
    await pg.runTool('echo', { message: 'hello' });
    const traffic = page.locator('details.traffic');
    await traffic.locator('summary').click();
    await traffic
      .locator('tr', { has: page.locator('td', { hasText: /^tools\/call$/ }) })
      .last()
      .getByRole('button')
      .click();
    await traffic.getByTestId('response-body').waitFor();
    await shot(traffic, 'playground-http');
    await traffic.locator('summary').click();

    // Connect a client (without a token: the snippets carry a placeholder, and stay short).
    await pg.setToken('');
    const clientsPanel = page.locator('#clients');
    await clientsPanel.locator('summary').click();
    await clientsPanel
      .getByText(/YOUR_TOKEN/)
      .first()
      .waitFor();
    await shot(clientsPanel, 'playground-clients');

    // Backends: a few sessions.
    const url = (await (await fetch(`${gw.adminUrl}/api/endpoints`)).json()) as { url: string }[];
    for (let i = 0; i < 3; i++) {
      const c = new Client({ name: 'screenshot', version: '1' });
      await c.connect(new StreamableHTTPClientTransport(new URL(url[0]!.url)));
      clients.push(c);
    }
    await page.goto(`${gw.adminUrl}/ui/backends/`);
    await page.getByTestId('session-range').waitFor();
    await shot(page.locator('#sessions'), 'backends-sessions');

    // Home: readiness.
    await page.goto(`${gw.adminUrl}/ui/`);
    await page.getByTestId('readiness').waitFor();
    await shot(page.locator('#readiness'), 'home-readiness');

    // Config: the YAML editor with an error at its line.
    await page.goto(`${gw.adminUrl}/ui/config/`);
    const content = page.locator('.cm-content');
    await content.getByText('mcp.tool.name != "get-env"').waitFor();
    await content.getByText('mcp.tool.name != "get-env"').click();
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.type(' &&');
    await page.locator('.cm-lintRange-error').first().waitFor();
    await page.locator('.cm-lintRange-error').first().hover();
    await page.locator('.cm-tooltip-hover').waitFor();
    await shot(page.locator('#config'), 'config-editor');
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await browser.close();
    await gw.stop();
  }
}

await main();
