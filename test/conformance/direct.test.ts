/**
 * The conformance fixture against the official suite, directly (no gateway): every server scenario of
 * `@modelcontextprotocol/conformance` 0.1.13 `--suite all` must pass. The pass count printed here is the
 * number the through-the-gateway runs must match.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { createUpstreamFactory } from '../../src/mcp/upstream/factory.js';
import { NOOP_TELEMETRY } from '../../src/telemetry/hooks.js';
import { startConformanceServer } from '../fixtures/conformance-server.js';
import type { ServedFixture } from '../fixtures/serve.js';
import { fixtureStdio } from '../fixtures/spawn.js';
import { runConformance } from '../helpers/conformance.js';
import { Driver, target } from '../upstream/driver.js';

describe('conformance fixture, directly', () => {
  let server: ServedFixture;
  before(async () => {
    server = await startConformanceServer();
  });
  after(() => server.close());

  it('passes every server scenario of the conformance suite over Streamable HTTP', async () => {
    const r = await runConformance(server.url);
    console.log(
      `conformance (direct, Streamable HTTP): ${r.passed}/${r.total} checks passed, ${r.failed} failed`,
    );
    assert.deepEqual(r.failures, []);
    assert.equal(r.failed, 0);
    assert.ok(Object.keys(r.scenarios).length >= 32, `only ${Object.keys(r.scenarios).length} scenarios ran`);
    assert.ok(r.passed >= 44, `only ${r.passed} checks passed`);
  });

  it('serves the same fixtures over stdio', async (t) => {
    const factory = createUpstreamFactory({ telemetry: NOOP_TELEMETRY });
    t.after(() => factory.close());
    const up = factory.create(
      target('conformance', { kind: 'stdio', ...fixtureStdio('conformance-server.ts'), env: {} }),
      { logger: pino({ level: 'silent' }) },
    );
    const rpc = new Driver(up);
    await up.start();
    await rpc.initialize();
    const { tools } = (await rpc.call('tools/list')) as { tools: { name: string }[] };
    const { prompts } = (await rpc.call('prompts/list')) as { prompts: { name: string }[] };
    assert.ok(
      tools.length >= 14 && tools.every((x) => x.name.startsWith('test_') || x.name.startsWith('json_')),
    );
    assert.equal(prompts.length, 4);
    const read = await rpc.call('resources/read', { uri: 'test://template/42/data' });
    assert.match(JSON.stringify(read), /Data for ID: 42/);
  });
});
