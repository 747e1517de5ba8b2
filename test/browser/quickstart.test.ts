/**
 * The seed page's Playground steps, end to end in headless Chromium against the quickstart config
 * (server-everything over stdio, the seed's policies, the project's demo keys): Connect without a
 * token → only echo; pick example1 → the claim-gated tool appears; run echo; a denied tool by name →
 * a clear denial. Screenshots go to test-artifacts/browser/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { quickstartTokens } from '../../src/cli/quickstart.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { ensureUiBuilt, launchBrowser, openPlayground } from '../helpers/playground.js';

describe('quickstart Playground in a real browser', () => {
  let gw: TestGateway;
  before(async () => {
    await ensureUiBuilt();
    const yaml = readFileSync('examples/quickstart/config.yaml', 'utf8')
      .replace('port: 3000', 'port: 0')
      .replace('../../manifests/jwt/pub-key', `${process.cwd()}/manifests/jwt/pub-key`);
    gw = await startGateway(yaml, {
      env: { PORTCULLIS_ROOT: process.cwd() },
      demoTokens: quickstartTokens(),
      name: 'quickstart-browser',
    });
  });
  after(() => gw.stop());

  test('anonymous → echo only; example1 → get-env appears; echo runs; a denied tool is explained', async (t) => {
    const b = await launchBrowser(t);
    if (!b) return;
    t.after(() => b.close());
    const pg = await openPlayground(b, gw.adminUrl);

    // 1. Connect without a token: only echo.
    await pg.connect();
    assert.deepEqual(await pg.toolNames(), ['echo']);
    await pg.screenshot('quickstart-anonymous');

    // 2. Run echo: the message comes back.
    const echoed = await pg.runTool('echo', { message: 'hello from the playground' });
    assert.match(echoed.result ?? '', /hello from the playground/, JSON.stringify(echoed));

    // 3. Pick the demo token example1 (sub=test-user, nested.key=value): get-sum and get-env appear.
    await pg.disconnect();
    await pg.pickDemoToken('example1');
    const claims = await pg.decodedClaims();
    assert.equal(claims.sub, 'test-user');
    await pg.connect();
    assert.deepEqual((await pg.toolNames()).sort(), ['echo', 'get-env', 'get-sum']);
    await pg.screenshot('quickstart-example1');

    // 4. example2 has no nested claim: calling get-env by name is a clear denial.
    await pg.disconnect();
    await pg.pickDemoToken('example2');
    await pg.connect();
    assert.deepEqual((await pg.toolNames()).sort(), ['echo', 'get-sum']);
    const denied = await pg.callToolByName('get-env');
    assert.match(denied.error ?? '', /not found or not allowed for this identity/, JSON.stringify(denied));
    await pg.screenshot('quickstart-denied');

    // 5. The legacy SSE transport carries the token too.
    await pg.disconnect();
    await pg.useTransport('sse');
    await pg.pickDemoToken('example1');
    await pg.connect();
    assert.deepEqual((await pg.toolNames()).sort(), ['echo', 'get-env', 'get-sum']);
    const viaSse = await pg.runTool('echo', { message: 'over sse' });
    assert.match(viaSse.result ?? '', /over sse/, JSON.stringify(viaSse));

    assert.deepEqual(pg.consoleErrors, []);
  });
});
