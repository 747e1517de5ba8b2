/**
 * Property-based fuzzing of the gateway (fast-check): raw HTTP at the socket and JSON-RPC bodies at the
 * MCP route, against jwtAuth + mcpAuthorization CEL rules and two real MCP servers. ~1,000 cases here
 * (FUZZ_CASES overrides); `npm run test:stress` runs ≥ 10,000 (test/stress/fuzz.test.ts).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzJsonRpc, fuzzRawHttp, settledRss, statuses, watchProcessFailures } from './properties.js';
import { startFuzzTarget, type FuzzTarget } from './target.js';

const CASES = Number(process.env.FUZZ_CASES ?? 1000);

describe('fuzz: hostile input never stops, breaks or leaks', () => {
  let t: FuzzTarget;
  let baseline = 0;
  const watch = watchProcessFailures();
  before(async () => {
    t = await startFuzzTarget({ name: 'fuzz' });
    baseline = await settledRss();
  });
  after(async () => {
    watch.stop();
    await t.stop();
  });

  test(`raw HTTP requests at the socket (${Math.round(CASES / 2)} cases)`, async () => {
    await fuzzRawHttp(t, Math.round(CASES / 2));
  });

  test(`JSON-RPC bodies for every MCP method (${Math.round(CASES / 2)} cases)`, async () => {
    await fuzzJsonRpc(t, Math.round(CASES / 2));
  });

  test('no unhandled rejection or uncaught exception; still serving; RSS back near baseline', async () => {
    process.stdout.write(
      `# fuzz replies by status: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}\n`,
    );
    assert.deepEqual(watch.failures, []);
    assert.equal(await (await fetch(`${t.gw.url}/`)).text(), 'ok');
    const rss = await settledRss();
    const growthMb = (rss - baseline) / 2 ** 20;
    process.stdout.write(
      `# fuzz RSS: baseline ${(baseline / 2 ** 20).toFixed(1)} MB, after ${(rss / 2 ** 20).toFixed(1)} MB\n`,
    );
    assert.ok(growthMb < 96, `RSS grew by ${growthMb.toFixed(1)} MB`);
  });
});
