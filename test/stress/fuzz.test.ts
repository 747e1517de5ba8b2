/**
 * `npm run test:stress`: the fuzz properties of test/fuzz/http.test.ts at ≥ 10,000 cases
 * (STRESS_FUZZ_CASES overrides; FUZZ_SEED / FUZZ_PATH replay a failure).
 */
import { fuzzSuite } from '../fuzz/suite.js';

fuzzSuite({
  title: 'stress fuzz: hostile input never stops, breaks or leaks',
  name: 'stress-fuzz',
  cases: Number(process.env.STRESS_FUZZ_CASES ?? 10_000),
  rssGrowthMb: 128,
});
