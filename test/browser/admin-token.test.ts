/**
 * With an admin token set, the UI asks for it once (a prompt), keeps it in sessionStorage for the tab and
 * sends it as Authorization: the Backends page then shows the live targets.
 */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { ensureUiBuilt, launchBrowser } from '../helpers/playground.js';

const EVERYTHING = resolve('node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const TOKEN = 'admin-token-0123456789abcdef';

describe('the UI behind an admin token', () => {
  let gw: TestGateway;
  before(async () => {
    await ensureUiBuilt();
    gw = await startGateway(
      `binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
          targets:
          - name: token-guarded-target
            stdio: {cmd: node, args: ["${EVERYTHING}", "stdio"]}
`,
      { env: { PORTCULLIS_ADMIN_TOKEN: TOKEN }, name: 'admin-token-ui' },
    );
  });
  after(() => gw?.stop());

  test('prompts once, then every API call carries the token', async (t) => {
    const b = await launchBrowser(t);
    if (!b) return;
    t.after(() => b.close());
    const page = await b.context.newPage();
    const prompts: string[] = [];
    page.on('dialog', (d) => {
      prompts.push(d.message());
      void d.accept(TOKEN);
    });
    await page.goto(`${gw.adminUrl}/ui/backends/`);
    await page.getByText('token-guarded-target').first().waitFor();
    assert.equal(prompts.length, 1, prompts.join(' | '));
    assert.match(prompts[0]!, /PORTCULLIS_ADMIN_TOKEN/);
    assert.equal(await page.evaluate('sessionStorage.getItem("portcullis.adminToken")'), TOKEN);
    await page.reload();
    await page.getByText('token-guarded-target').first().waitFor();
    assert.equal(prompts.length, 1, 'no second prompt in the same tab');
  });
});
