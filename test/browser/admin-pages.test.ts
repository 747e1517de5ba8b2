/**
 * The admin pages against the real gateway: readiness with per-target health on Home, the Backends page's
 * session paging and "close session", and the Config page's YAML editor (secrets redacted, errors as
 * lint diagnostics at the lines the gateway reports, save through the reload path). One browser.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Page } from 'playwright-core';
import { eventually, startGateway, type TestGateway } from '../helpers/gateway.js';
import { ensureUiBuilt, launchBrowser, type TestBrowser } from '../helpers/playground.js';
import { startSeedServer } from '../fixtures/seed-server.js';
import type { ServedFixture } from '../fixtures/serve.js';

const SECRET = 'sk-upstream-secret-4711';

function yaml(upstream: string, rule = 'true'): string {
  return `# routes: /good reaches the seed server, /bad a command that does not exist
config:
  readiness: {requireTargets: true}
binds:
- port: 0
  listeners:
  - routes:
    - name: good
      matches:
      - path: {pathPrefix: /good}
      policies:
        requestHeaderModifier:
          set:
            x-api-key: ${SECRET}
        mcpAuthorization:
          rules:
          - '${rule}'
      backends:
      - mcp:
          targets:
          - name: seed
            mcp: {host: "${upstream}"}
    - name: bad
      matches:
      - path: {pathPrefix: /bad}
      backends:
      - mcp:
          targets:
          - name: broken
            stdio: {cmd: no-such-binary-for-portcullis-tests}
`;
}

describe('admin pages: readiness, sessions, YAML config editor (browser)', () => {
  let upstream: ServedFixture;
  let gw: TestGateway;
  let browser: TestBrowser | undefined;
  const clients: Client[] = [];

  before(async () => {
    await ensureUiBuilt();
    upstream = await startSeedServer();
    gw = await startGateway(yaml(upstream.url), { name: 'ui-admin-pages', watch: true });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await browser?.close();
    await gw?.stop();
    await upstream?.close();
  });

  async function open(t: Parameters<typeof launchBrowser>[0], path: string): Promise<Page | undefined> {
    browser ??= await launchBrowser(t);
    if (!browser) return undefined;
    const page = await browser.context.newPage();
    await page.goto(`${gw.adminUrl}/ui${path}`);
    return page;
  }

  async function connectClient(path: string): Promise<Client> {
    const client = new Client({ name: 'ui-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${gw.url}${path}`)));
    clients.push(client);
    return client;
  }

  test("Home: readiness, why not, and each target's health", async (t) => {
    const page = await open(t, '/');
    if (!page) return;
    await page.getByTestId('readiness').getByText('Ready').waitFor();
    // A client of /bad makes the broken target fail: the gateway is no longer ready, and says why.
    await assert.rejects(connectClient('/bad'));
    await connectClient('/good');
    await page.reload(); // rather than wait for the next poll (3 s readiness, 5 s summary)
    const readiness = page.locator('#readiness');
    await readiness.getByText('Not ready').waitFor();
    assert.match(
      await readiness.getByRole('list', { name: 'Waiting for' }).innerText(),
      /target broken \([^)]*\): cannot start/,
    );
    const health = readiness.getByRole('table', { name: 'Target health' });
    await health.locator('tr', { hasText: 'seed' }).getByText('ok').waitFor();
    await health.locator('tr', { hasText: 'broken' }).getByText('failing').waitFor();
    assert.match(await health.locator('tr', { hasText: 'broken' }).innerText(), /command not found/);
    await page.close();
  });

  test('Backends: sessions a page at a time; Close ends one on the gateway', async (t) => {
    const page = await open(t, '/backends/');
    if (!page) return;
    const before = gw.portcullis.gateway.mcp.sessions().length;
    for (let i = before; i < 23; i++) await connectClient('/good');
    const total = gw.portcullis.gateway.mcp.sessions().length;
    assert.ok(total >= 23, `${total} sessions`);
    const range = page.getByTestId('session-range');
    await range.getByText(`1–20 of ${total}`).waitFor();
    assert.equal(await page.locator('#sessions tbody tr').count(), 20);
    await page.getByRole('button', { name: 'Next' }).click();
    await range.getByText(`21–${total} of ${total}`).waitFor();
    await page.getByRole('button', { name: 'Previous' }).click();
    await range.getByText(`1–20 of ${total}`).waitFor();

    // Close the session of the last client: the gateway ends it and that client's next call fails.
    const victim = clients[clients.length - 1]!;
    const id = (victim.transport as StreamableHTTPClientTransport).sessionId!;
    const row = page.locator(`#sessions tr[data-session="${id}"]`);
    await row.getByRole('button', { name: /^Close session/ }).click();
    await page
      .getByRole('status')
      .getByText(`Session ${id.slice(0, 8)}… closed.`)
      .waitFor();
    await row.waitFor({ state: 'detached' });
    assert.ok(!gw.portcullis.gateway.mcp.sessions().some((s) => s.id === id));
    await assert.rejects(victim.listTools(), /404|Session not found|not found/i);
    await range.getByText(`1–20 of ${total - 1}`).waitFor();
    await page.close();
  });

  test("Config: YAML with secrets redacted; errors at the editor's lines; save keeps the secret", async (t) => {
    const page = await open(t, '/config/');
    if (!page) return;
    const editor = page.getByTestId('yaml-editor');
    const content = editor.locator('.cm-content');
    await content.getByText('# routes: /good reaches the seed server').waitFor();
    const shown = await content.innerText();
    assert.ok(!shown.includes(SECRET), 'the secret is not shown');
    assert.match(shown, /x-api-key: "\[redacted\]"/);

    // Completion from the config schema: under a route's `policies:`, "co" offers `cors`.
    await setEditorText(page, shown.replace('      policies:\n', '      policies:\n        co\n'));
    await content.locator('.cm-line', { hasText: /^\s*co$/ }).click();
    await page.keyboard.press('End');
    await page.keyboard.press('Control+Space');
    const options = page.locator('.cm-tooltip-autocomplete li');
    await options.first().waitFor();
    const offered = await options.allInnerTexts();
    assert.ok(
      offered.some((o) => o.startsWith('cors')),
      offered.join(', '),
    );
    assert.ok(!offered.some((o) => o.startsWith('listeners')), 'only keys allowed here');
    // Pick it (a click: the popup ignores keys for its first few milliseconds, by design).
    await options.filter({ hasText: /^cors/ }).click();
    await content.locator('.cm-line', { hasText: /^\s*cors:\s*$/ }).waitFor();

    // Break the CEL rule: the diagnostic sits on the rule's line of the editor (the file's line too).
    const lines = readFileSync(gw.configFile, 'utf8').split('\n');
    const ruleLine = lines.findIndex((l) => l.includes("- 'true'")) + 1;
    assert.ok(ruleLine > 10, `the rule is on line ${ruleLine}`);
    await setEditorText(page, shown.replace("- 'true'", "- 'mcp.tool.name =='"));
    // The diagnostic of this text (an earlier one may linger until the next lint pass replaces it).
    await content.locator('.cm-line:has(.cm-lintRange-error)', { hasText: 'mcp.tool.name ==' }).waitFor();
    // Lines are rendered in order (the config is short: none is virtualized away).
    const lineNo = await content
      .locator('.cm-line')
      .evaluateAll((els) =>
        els.findIndex(
          (l) =>
            l.querySelector('.cm-lintRange-error') !== null && l.textContent?.includes('mcp.tool.name =='),
        ),
      );
    assert.equal(lineNo + 1, ruleLine, 'the diagnostic is on the rule line');
    const gutter = await page
      .locator('.cm-lineNumbers .cm-gutterElement', { hasText: new RegExp(`^${ruleLine}$`) })
      .count();
    assert.equal(gutter, 1, 'the gutter shows the same line number');
    await page.getByRole('button', { name: 'Validate and save' }).click();
    const issue = page.locator('.issues li').first();
    await issue.waitFor();
    assert.match(await issue.innerText(), new RegExp(`config\\.yaml:${ruleLine}:\\d+`));
    assert.ok(readFileSync(gw.configFile, 'utf8').includes("- 'true'"), 'an invalid config is not written');
    await page.screenshot({ path: 'test-artifacts/browser/config-error.png' });

    // A valid edit is written, the redacted secret is kept, and the watcher applies it.
    await setEditorText(page, shown.replace("- 'true'", '- \'mcp.tool.name == "echo"\''));
    await page.getByRole('button', { name: 'Validate and save' }).click();
    await page
      .getByRole('status')
      .getByText(/Configuration written/)
      .waitFor();
    const written = readFileSync(gw.configFile, 'utf8');
    assert.match(written, /mcp\.tool\.name == "echo"/);
    assert.ok(written.includes(SECRET), 'the secret is restored on save');
    assert.ok(!written.includes('[redacted]'));
    assert.match(written, /^# routes: \/good reaches the seed server/, 'comments are kept');
    // The watcher reloads the file: the gateway now serves the new rule.
    await eventually(
      () => JSON.stringify(gw.portcullis.gateway.config).includes('mcp.tool.name == \\"echo\\"'),
      10_000,
    );
    await page.close();
  });
});

/** Replace the editor's whole text (one input, as a paste: no auto-indentation). */
async function setEditorText(page: Page, text: string): Promise<void> {
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
}
