/**
 * The fuzz suite: raw HTTP at the socket and JSON-RPC bodies at the MCP route (half the cases each)
 * against a fresh fuzz target, then the process-level properties — no unhandled rejection or uncaught
 * exception, still serving, RSS back near its baseline. test/fuzz/http.test.ts runs it in `npm test`,
 * test/stress/fuzz.test.ts at ≥ 10,000 cases in `npm run test:stress`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzJsonRpc, fuzzRawHttp, settledRss, statuses, watchProcessFailures } from './properties.js';
import { startFuzzTarget, type FuzzTarget } from './target.js';

export function fuzzSuite(o: {
  readonly title: string;
  /** Gateway name for its log file. */
  readonly name: string;
  readonly cases: number;
  /** How far RSS may stay above the baseline afterwards. */
  readonly rssGrowthMb: number;
}): void {
  describe(o.title, () => {
    let t: FuzzTarget;
    let baseline = 0;
    const watch = watchProcessFailures();
    const half = Math.round(o.cases / 2);
    before(async () => {
      t = await startFuzzTarget({ name: o.name });
      baseline = await settledRss();
    });
    after(async () => {
      watch.stop();
      await t.stop();
    });

    test(`raw HTTP requests at the socket (${half} cases)`, async () => {
      await fuzzRawHttp(t, half);
    });

    test(`JSON-RPC bodies for every MCP method (${half} cases)`, async () => {
      await fuzzJsonRpc(t, half);
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
        `# ${o.name} RSS: baseline ${(baseline / 2 ** 20).toFixed(1)} MB, after ${(rss / 2 ** 20).toFixed(1)} MB\n`,
      );
      assert.ok(growthMb < o.rssGrowthMb, `RSS grew by ${growthMb.toFixed(1)} MB`);
    });
  });
}
