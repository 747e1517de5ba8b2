/**
 * The Playground in a real browser against a stand-in gateway (test/browser/harness.ts): the admin
 * server serves the built UI, the page connects with the official SDK client, and the harness records
 * every HTTP request the browser makes. The quickstart end-to-end version lives with the gateway tests.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../helpers/gateway.js';
import { ensureUiBuilt, launchBrowser, openPlayground, type TestBrowser } from '../helpers/playground.js';
import { startHarness, type Harness } from './harness.js';

describe('Playground (browser)', () => {
  let harness: Harness;
  let browser: TestBrowser | undefined;

  before(async () => {
    await ensureUiBuilt();
    harness = await startHarness();
  });
  after(async () => {
    await browser?.close();
    await harness?.close();
  });

  // One browser for the file; each test opens its own page. Launched lazily so a missing chromium skips.
  async function ready(t: Parameters<typeof launchBrowser>[0]): Promise<TestBrowser | undefined> {
    browser ??= await launchBrowser(t);
    return browser;
  }

  test('anonymous: only the tools anyone may use, no console errors', async (t) => {
    const b = await ready(t);
    if (!b) return;
    const pg = await openPlayground(b, harness.admin.url);
    assert.equal(await pg.connect(), undefined);
    assert.deepEqual(await pg.toolNames(), ['echo', 'tinyImage', 'configure']);
    const run = await pg.runTool('echo', { message: 'hello from the browser' });
    assert.equal(run.result, 'Echo: hello from the browser');
    await pg.screenshot('playground-anonymous');
    assert.deepEqual(pg.consoleErrors, []);
    await pg.page.close();
  });

  test('a demo token: claims decoded, claim-gated tools appear, the token is on every request', async (t) => {
    const b = await ready(t);
    if (!b) return;
    const pg = await openPlayground(b, harness.admin.url);
    assert.equal(await pg.connect(), undefined);
    assert.equal((await pg.toolNames()).length, 3, 'anonymous first');
    await pg.pickDemoToken('example1');
    const claims = await pg.decodedClaims();
    assert.equal(claims['sub'], 'test-user');
    assert.deepEqual(claims['nested'], { key: 'value' });

    const first = harness.mcp.requests.length;
    assert.equal(await pg.connect(), undefined);
    assert.deepEqual(await pg.toolNames(), ['echo', 'add', 'printEnv', 'tinyImage', 'configure']);
    assert.equal((await pg.runTool('add', { a: 2, b: 40 })).result, 'The sum is 42.');
    await pg.screenshot('playground-example1');
    await pg.disconnect();

    // Reconnecting first ends the anonymous session (its DELETE carries no token: it had none).
    const anonymous = new Set(harness.mcp.requests.slice(0, first).map((r) => r.session));
    const ours = () =>
      harness.mcp.requests.slice(first).filter((r) => r.method !== 'OPTIONS' && !anonymous.has(r.session));
    // The page is idle as soon as Disconnect is clicked; its DELETE is sent in the background.
    await eventually(() => ours().some((r) => r.method === 'DELETE'), 5000).catch(() => undefined);
    const after = harness.mcp.requests.slice(first).filter((r) => r.method !== 'OPTIONS');
    assert.ok(
      after.some((r) => r.method === 'DELETE' && anonymous.has(r.session)),
      'the anonymous session was ended',
    );
    const requests = after.filter((r) => !anonymous.has(r.session));
    const expected = `Bearer ${harness.tokens.example1}`;
    assert.ok(
      requests.some((r) => r.method === 'GET'),
      'the GET stream was opened',
    );
    assert.ok(
      requests.some((r) => r.method === 'DELETE'),
      'the session was deleted on Disconnect',
    );
    assert.ok(
      requests.length >= 6,
      `initialize, initialized, GET, lists, call, DELETE: got ${requests.length}`,
    );
    for (const r of requests)
      assert.equal(r.authorization, expected, `${r.method} ${r.path} without the token`);
    const traffic = await pg.page.locator('details.traffic summary').innerText();
    assert.match(traffic, /all with the token/);
    assert.deepEqual(pg.consoleErrors, []);
    await pg.page.close();
  });

  test('a tool this identity may not use, called by name: a clear denial', async (t) => {
    const b = await ready(t);
    if (!b) return;
    const pg = await openPlayground(b, harness.admin.url);
    await pg.setToken(harness.tokens.example2);
    assert.equal(await pg.connect(), undefined);
    assert.ok(!(await pg.toolNames()).includes('printEnv'));
    const run = await pg.callToolByName('printEnv');
    assert.match(run.error ?? '', /tool "printEnv": not found or not allowed for this identity/);
    await pg.screenshot('playground-denied');
    await pg.page.close();
  });

  test('an expired token: "token rejected: token expired"', async (t) => {
    const b = await ready(t);
    if (!b) return;
    const pg = await openPlayground(b, harness.admin.url);
    await pg.setToken(harness.tokens.expired);
    await pg.page.getByText(/Token expired .* ago/).waitFor();
    const error = await pg.connect();
    assert.match(error ?? '', /token rejected: token expired/);
    await pg.screenshot('playground-expired');
    await pg.page.close();
  });

  test('a route without CORS: the exact cors policy to add', async (t) => {
    const b = await ready(t);
    if (!b) return;
    const pg = await openPlayground(b, harness.admin.url, { endpoint: harness.endpoints[1]!.url });
    await pg.page.getByText(/This route has no cors policy/).waitFor();
    const error = await pg.connect();
    assert.match(error ?? '', /route harness\/nocors does not allow this page's origin/);
    assert.ok(error?.includes(`allowOrigins: ["${harness.admin.url}"]`), error);
    assert.match(error ?? '', /exposeHeaders: \["Mcp-Session-Id"\]/);
    await pg.screenshot('playground-cors');
    await pg.page.close();
  });

  test('forms from inputSchema (enum, integer, boolean, array, object) and image results', async (t) => {
    const b = await ready(t);
    if (!b) return;
    const pg = await openPlayground(b, harness.admin.url);
    assert.equal(await pg.connect(), undefined);
    await pg.page
      .getByRole('list', { name: 'Available Tools' })
      .getByRole('button', { name: /^configure/ })
      .click();
    await pg.page.locator('#pg-arg-count').fill('2.5');
    await pg.page.getByRole('button', { name: 'Run', exact: true }).click();
    await pg.page.getByText('must be a whole number').waitFor();
    await pg.page.locator('#pg-arg-tags').fill('["a", "b"]');
    await pg.page.locator('#pg-arg-options').fill('{"deep": {"x": 1}}');
    const run = await pg.runTool('configure', { mode: 'safe', count: 3, verbose: true });
    assert.deepEqual(JSON.parse(run.result ?? 'null'), {
      mode: 'safe',
      count: 3,
      verbose: true,
      tags: ['a', 'b'],
      options: { deep: { x: 1 } },
    });

    await pg.runTool('tinyImage');
    const img = pg.page.getByTestId('tool-result').locator('img.result-image');
    assert.equal(await img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth), 24);
    await pg.screenshot('playground-image');
    assert.deepEqual(pg.consoleErrors, []);
    await pg.page.close();
  });

  test('"What can this identity do?" lists every tool with the deciding rule', async (t) => {
    const b = await ready(t);
    if (!b) return;
    const pg = await openPlayground(b, harness.admin.url);
    await pg.setToken(harness.tokens.example2);
    const rows = await pg.explain();
    const by = new Map(rows.map((r) => [r.name, r]));
    assert.deepEqual(
      rows.map((r) => [r.name, r.allowed]),
      [
        ['echo', true],
        ['add', true],
        ['printEnv', false],
        ['tinyImage', true],
        ['configure', true],
      ],
    );
    assert.match(
      by.get('add')!.rule,
      /rules\[2\] allow\s+jwt\.sub == "test-user" && mcp\.tool\.name == "add"/,
    );
    assert.match(by.get('printEnv')!.rule, /no rule allowed it/);
    await pg.page.locator('#explain').scrollIntoViewIfNeeded();
    await pg.screenshot('playground-explain');
    await pg.page.close();
  });

  test('legacy SSE transport carries the token on the stream and on every message', async (t) => {
    const b = await ready(t);
    if (!b) return;
    const pg = await openPlayground(b, harness.admin.url);
    await pg.useTransport('sse');
    await pg.setToken(harness.tokens.example1);
    const first = harness.mcp.requests.length;
    assert.equal(await pg.connect(), undefined);
    assert.ok((await pg.toolNames()).includes('printEnv'));
    const requests = harness.mcp.requests.slice(first).filter((r) => r.method !== 'OPTIONS');
    assert.ok(requests.some((r) => r.path === '/sse') && requests.some((r) => r.path === '/messages'));
    for (const r of requests)
      assert.equal(r.authorization, `Bearer ${harness.tokens.example1}`, `${r.method} ${r.path}`);
    await pg.page.close();
  });

  test('every page renders, every form control has a label, keyboard reaches Connect', async (t) => {
    const b = await ready(t);
    if (!b) return;
    const pg = await openPlayground(b, harness.admin.url);
    for (const [link, heading] of [
      ['Home', 'Overview'],
      ['Listeners', 'Listeners'],
      ['Routes', 'Routes'],
      ['Backends', 'Backends and targets'],
      ['Policies', 'Policies'],
      ['Config', 'Configuration'],
      ['Playground', 'Playground'],
    ] as const) {
      await pg.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
      await pg.page.getByRole('heading', { level: 1, name: heading }).waitFor();
      const unlabeled = await pg.page.evaluate(() => {
        const doc = (
          globalThis as unknown as {
            document: {
              querySelectorAll(s: string): ArrayLike<{
                id: string;
                labels?: ArrayLike<unknown>;
                getAttribute(n: string): string | null;
              }>;
            };
          }
        ).document;
        return Array.from(doc.querySelectorAll('input, select, textarea'))
          .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
          .map((el) => el.id || '(no id)');
      });
      assert.deepEqual(unlabeled, [], `unlabeled controls on ${link}`);
      if (link === 'Home') await pg.screenshot('home');
    }
    // Keyboard only: from the token field, Tab reaches Connect and Enter connects.
    await pg.page.getByLabel('Bearer token').focus();
    let focused = '';
    for (let i = 0; i < 5 && focused !== 'Connect'; i++) {
      await pg.page.keyboard.press('Tab');
      focused = await pg.page.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { textContent: string } | null } }).document
            .activeElement?.textContent ?? '',
      );
    }
    assert.equal(focused, 'Connect');
    await pg.page.keyboard.press('Enter');
    await pg.page.locator('#testing .success').waitFor();
    assert.deepEqual(pg.consoleErrors, []);
    await pg.page.close();
  });
});
