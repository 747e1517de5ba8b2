/**
 * Drives the Playground page in Debian's chromium through playwright-core. Tests read like the user's
 * steps: `const pg = await openPlayground(browser, adminUrl); await pg.connect(); await pg.toolNames()`.
 * Call `ensureUiBuilt()` first (in `before`): the admin server serves ui/dist.
 *
 * Chromium: $CHROMIUM_PATH or /usr/bin/chromium. Absent → the test is skipped with a message, except in
 * CI (`CI` set), where it fails.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'browser');
/** The flags this machine's Chromium needs (no sandbox as root; no background network: there is none). */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ACTION_TIMEOUT_MS = 15_000;

export function chromiumPath(): string | undefined {
  const p = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
  return existsSync(p) ? p : undefined;
}

/**
 * Build ui/dist when missing or older than a file under ui/src (the admin server serves ui/dist). Test
 * files run in parallel: a lock folder keeps two builds from emptying ui/dist under each other.
 */
export async function ensureUiBuilt(): Promise<void> {
  const lock = join('test-artifacts', '.ui-build-lock');
  mkdirSync('test-artifacts', { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      const held = statSync(lock, { throwIfNoEntry: false });
      if (Date.now() > deadline || (held && Date.now() - held.mtimeMs > 120_000)) {
        rmSync(lock, { recursive: true, force: true });
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (uiIsFresh()) return;
    execFileSync(
      process.execPath,
      ['node_modules/vite/bin/vite.js', 'build', '--config', 'ui/vite.config.ts', '--logLevel', 'warn'],
      { stdio: 'inherit' },
    );
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function uiIsFresh(): boolean {
  const index = join('ui', 'dist', 'index.html');
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  return (
    built > 0 && newest(join('ui', 'src')) <= built && statSync(join('ui', 'index.html')).mtimeMs <= built
  );
}

function newest(dir: string): number {
  let max = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    max = Math.max(max, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return max;
}

export interface TestBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Launch chromium with a fresh profile at 1280×800, or skip the test (fail in CI) when it is absent. */
export async function launchBrowser(t: TestContext): Promise<TestBrowser | undefined> {
  const executablePath = chromiumPath();
  if (!executablePath) {
    if (process.env['CI'])
      throw new Error('chromium is not installed (expected /usr/bin/chromium or $CHROMIUM_PATH)');
    t.skip('chromium is not installed: apt-get install -y chromium (or set CHROMIUM_PATH)');
    return undefined;
  }
  const profile = mkdtempSync(join(tmpdir(), 'pc-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 800 },
  });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface ToolRun {
  /** The result's text (what the Result section shows), when the call succeeded. */
  readonly result?: string;
  /** The plain-words error, when it failed. */
  readonly error?: string;
}

export class PlaygroundPage {
  readonly page: Page;
  /** Console errors and uncaught exceptions seen on the page. */
  readonly consoleErrors: string[] = [];

  constructor(page: Page) {
    this.page = page;
    page.on('console', (m) => {
      if (m.type() === 'error') this.consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => this.consoleErrors.push(`uncaught: ${e.message}`));
  }

  async selectEndpoint(url: string): Promise<void> {
    await this.page.getByLabel('MCP endpoint').selectOption(url);
  }

  async useTransport(kind: 'streamable' | 'sse'): Promise<void> {
    await this.page.getByLabel(kind === 'sse' ? 'SSE (legacy)' : 'Streamable HTTP').check();
  }

  /** Paste a bearer token ('' for anonymous). */
  async setToken(token: string): Promise<void> {
    await this.page.getByLabel('Bearer token').fill(token);
  }

  async pickDemoToken(name: string): Promise<void> {
    await this.page.getByLabel('Demo token').selectOption(name);
  }

  async decodedClaims(): Promise<Record<string, unknown>> {
    return JSON.parse(await this.page.getByLabel('Decoded claims').innerText()) as Record<string, unknown>;
  }

  /**
   * Click Connect (or Reconnect, after changing the token/endpoint/transport) and wait for this attempt's
   * outcome; returns the plain-words error, or undefined once connected and the lists are loaded.
   * Already connected with unchanged settings: returns undefined without reconnecting.
   */
  async connect(): Promise<string | undefined> {
    const reconnect = this.page.getByRole('button', { name: 'Reconnect' });
    if ((await reconnect.isVisible()) && (await reconnect.isDisabled())) return undefined;
    const status = this.page.locator('#testing .conn-status');
    const attempt = Number((await status.getAttribute('data-attempt')) ?? '0') + 1;
    await this.page.getByRole('button', { name: /^(Connect|Reconnect)$/ }).click();
    const done = this.page.locator(
      `#testing .conn-status[data-attempt="${attempt}"]:is([data-outcome="connected"], [data-outcome="error"])`,
    );
    await done.waitFor({ state: 'attached' }); // empty (zero-size) when the outcome is an error
    if ((await done.getAttribute('data-outcome')) === 'error') return this.connectError();
    // The lists load right after connecting.
    await this.page.getByRole('tab', { name: /Tools \(\d+\)/ }).waitFor();
    return undefined;
  }

  /** The connection error, waiting until the CORS advice (from /api/preflight) has replaced the first guess. */
  async connectError(): Promise<string> {
    const box = this.page.locator('#testing .error-box');
    await box.waitFor();
    const text = await box.innerText();
    if (/could not reach/.test(text)) {
      const advice = this.page.locator('#testing .error-box', { hasNotText: /could not reach/ });
      await advice.waitFor({ timeout: 5000 }).catch(() => undefined);
      return this.page.locator('#testing .error-box').innerText();
    }
    return text;
  }

  async disconnect(): Promise<void> {
    await this.page.getByRole('button', { name: 'Disconnect' }).click();
    await this.page.getByRole('button', { name: 'Connect' }).waitFor();
  }

  /** Names in the Available Tools list. */
  async toolNames(): Promise<string[]> {
    await this.openTab('Tools');
    const list = this.page.getByRole('list', { name: 'Available Tools' });
    return list.locator('.item-title').allInnerTexts();
  }

  async openTab(name: 'Tools' | 'Prompts' | 'Resources'): Promise<void> {
    await this.page.getByRole('tab', { name: new RegExp(`^${name}`) }).click();
  }

  /** Pick a listed tool, fill its generated form (label = argument name), Run, and read the outcome. */
  async runTool(name: string, args: Record<string, string | number | boolean> = {}): Promise<ToolRun> {
    await this.openTab('Tools');
    await this.page
      .getByRole('list', { name: 'Available Tools' })
      .getByRole('button', { name: new RegExp(`^${name}\\b`) })
      .click();
    for (const [arg, value] of Object.entries(args)) {
      const input = this.page.locator(`#pg-arg-${arg}`);
      if (typeof value === 'boolean') await input.setChecked(value);
      else if ((await input.evaluate((el) => el.tagName)) === 'SELECT')
        await input.selectOption(JSON.stringify(value));
      else await input.fill(String(value));
    }
    return this.run();
  }

  /** Type any tool name (listed or not) with JSON arguments, Run, and read the outcome. */
  async callToolByName(name: string, args: Record<string, unknown> = {}): Promise<ToolRun> {
    await this.openTab('Tools');
    await this.page.getByLabel('Tool name').fill(name);
    const raw = this.page.getByLabel('Arguments (JSON)');
    if (await raw.isVisible()) await raw.fill(JSON.stringify(args));
    return this.run();
  }

  private async run(): Promise<ToolRun> {
    const output = this.page.getByTestId('tool-result');
    await this.page.getByRole('button', { name: 'Run', exact: true }).click();
    await output.locator('.error-box, section[aria-label="Result"]').first().waitFor();
    const error = output.locator('.error-box');
    if (await error.isVisible()) return { error: await error.innerText() };
    return { result: await output.locator('section[aria-label="Result"] .result').innerText() };
  }

  /** Ask "What can this identity do?" and read the table. */
  async explain(): Promise<{ name: string; allowed: boolean; rule: string }[]> {
    const card = this.page.locator('#explain');
    await card.getByRole('button', { name: /^Explain/ }).click();
    await card.getByRole('status').waitFor();
    const rows = card.locator('tbody tr');
    const out: { name: string; allowed: boolean; rule: string }[] = [];
    for (const row of await rows.all()) {
      const cells = row.locator('td');
      out.push({
        name: await cells.nth(0).locator('code').innerText(),
        allowed: (await row.getAttribute('class')) === 'allowed',
        rule: await cells.nth(2).innerText(),
      });
    }
    return out;
  }

  /** Saved under test-artifacts/browser/<name>.png. */
  async screenshot(name: string): Promise<string> {
    mkdirSync(ARTIFACTS, { recursive: true });
    const path = join(ARTIFACTS, `${name}.png`);
    await this.page.screenshot({ path, fullPage: true });
    return path;
  }
}

/** Open `/ui/playground/` of an admin server (optionally preselecting an endpoint URL). */
export async function openPlayground(
  browser: TestBrowser,
  adminUrl: string,
  opts: { endpoint?: string } = {},
): Promise<PlaygroundPage> {
  const page = await browser.context.newPage();
  const pg = new PlaygroundPage(page);
  const query = opts.endpoint ? `?endpoint=${encodeURIComponent(opts.endpoint)}` : '';
  await page.goto(`${adminUrl}/ui/playground/${query}`);
  await page.getByRole('heading', { name: 'Playground', level: 1 }).waitFor();
  await page.getByLabel('MCP endpoint').locator('option').first().waitFor({ state: 'attached' });
  return pg;
}
