/**
 * The MCP conformance suite (`@modelcontextprotocol/conformance` 0.1.13, server scenarios, `--suite all`)
 * against our fixture server directly, then through Portcullis to the same fixture over a Streamable
 * HTTP upstream and over a stdio upstream. The pass count through the gateway must equal the direct one.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { startConformanceServer } from '../fixtures/conformance-server.js';
import type { ServedFixture } from '../fixtures/serve.js';
import { runConformance, type ConformanceResult } from '../helpers/conformance.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

function gatewayYaml(target: string): string {
  return `binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
          # The suite checks DNS-rebinding protection; the test bind listens on all interfaces.
          dnsRebindingProtection: true
          targets:
          - name: conformance
${target}
`;
}

/** The fixture bundled to plain JS once, so each stdio session starts a child in ~100 ms, not a tsx compile. */
async function bundledFixture(): Promise<string> {
  const dir = resolve('test-artifacts', 'fixtures');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'conformance-server.mjs');
  await build({
    entryPoints: [resolve('test/fixtures/conformance-server.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'error',
  });
  return out;
}

describe('conformance suite through the gateway', () => {
  let fixture: ServedFixture;
  let direct: ConformanceResult;
  const gateways: TestGateway[] = [];
  before(async () => {
    fixture = await startConformanceServer();
    direct = await runConformance(fixture.url);
    console.log(`conformance direct: ${direct.passed} passed, ${direct.failed} failed`);
  });
  after(async () => {
    for (const g of gateways) await g.stop();
    await fixture.close();
  });

  test('direct run passes every check', () => {
    assert.deepEqual(direct.failures, []);
    assert.ok(direct.passed >= 44, `${direct.passed} passed`);
  });

  test('through Portcullis to a Streamable HTTP upstream: same pass count', async () => {
    const gw = await startGateway(gatewayYaml(`            mcp: {host: "${fixture.url}"}`), {
      name: 'conformance-http',
      logLevel: 'warn',
    });
    gateways.push(gw);
    const r = await runConformance(`${gw.url}/mcp`);
    console.log(`conformance through gateway (HTTP upstream): ${r.passed} passed, ${r.failed} failed`);
    assert.deepEqual(r.failures, []);
    assert.equal(r.passed, direct.passed);
  });

  test('through Portcullis to a stdio upstream: same pass count', async () => {
    const bundle = await bundledFixture();
    const gw = await startGateway(
      gatewayYaml(`            stdio: {cmd: "${process.execPath}", args: ["${bundle}", "--stdio"]}`),
      { name: 'conformance-stdio', logLevel: 'warn' },
    );
    gateways.push(gw);
    const r = await runConformance(`${gw.url}/mcp`);
    console.log(`conformance through gateway (stdio upstream): ${r.passed} passed, ${r.failed} failed`);
    assert.deepEqual(r.failures, []);
    assert.equal(r.passed, direct.passed);
  });
});
