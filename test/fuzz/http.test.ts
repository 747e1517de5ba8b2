/**
 * Property-based fuzzing of the gateway (fast-check): raw HTTP at the socket and JSON-RPC bodies at the
 * MCP route, against jwtAuth + mcpAuthorization CEL rules and two real MCP servers. ~1,000 cases here
 * (FUZZ_CASES overrides); `npm run test:stress` runs ≥ 10,000 (test/stress/fuzz.test.ts).
 */
import { fuzzSuite } from './suite.js';

fuzzSuite({
  title: 'fuzz: hostile input never stops, breaks or leaks',
  name: 'fuzz',
  cases: Number(process.env.FUZZ_CASES ?? 1000),
  rssGrowthMb: 96,
});
