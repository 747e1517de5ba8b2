/**
 * `npm run test:stress`: the fuzz properties of test/fuzz/http.test.ts at ≥ 10,000 cases
 * (STRESS_FUZZ_CASES overrides; FUZZ_SEED / FUZZ_PATH replay a failure).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzJsonRpc, fuzzRawHttp, settledRss, statuses, watchProcessFailures } from '../fuzz/properties.js';
import { startFuzzTarget, type FuzzTarget } from '../fuzz/target.js';

const CASES = Number(process.env.STRESS_FUZZ_CASES ?? 10_000);

describe('stress fuzz: hostile input never stops, breaks or leaks', () => {
  let t: FuzzTarget;
  let baseline = 0;
  const watch = watchProcessFailures();
  before(async () => {
    t = await startFuzzTarget({ name: 'stress-fuzz' });
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

  test('no unhandled rejection; still serving; RSS back near baseline', async () => {
    process.stdout.write(
      `# fuzz replies by status: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}\n`,
    );
    assert.deepEqual(watch.failures, []);
    assert.equal(await (await fetch(`${t.gw.url}/`)).text(), 'ok');
    const rss = await settledRss();
    process.stdout.write(
      `# stress fuzz RSS: baseline ${(baseline / 2 ** 20).toFixed(1)} MB, after ${(rss / 2 ** 20).toFixed(1)} MB\n`,
    );
    assert.ok((rss - baseline) / 2 ** 20 < 128, `RSS grew by ${((rss - baseline) / 2 ** 20).toFixed(1)} MB`);
  });
});
