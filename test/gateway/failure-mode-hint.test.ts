/**
 * Failure modes explained: with `failureMode: failClosed` one target down fails every session; the
 * error names the failing target and says `failureMode: failOpen` would serve the others. The access
 * log records the failed initialize at warn with the real error, not as a plain 200 at info.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { startGateway, eventually, type TestGateway } from '../helpers/gateway.js';
import { connect } from '../helpers/mcp-client.js';

const EVERYTHING = resolve('node_modules/@modelcontextprotocol/server-everything/dist/index.js');

const yaml = (mode: string) => `binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
          failureMode: ${mode}
          targets:
          - name: local
            stdio: {cmd: node, args: ["${EVERYTHING}", "stdio"]}
          - name: down
            mcp: {host: "http://127.0.0.1:9/mcp"}
`;

describe('failureMode: failClosed explains itself', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway(yaml('failClosed'), { name: 'failure-mode-hint' });
  });
  after(async () => {
    await gw.stop();
  });

  test('the initialize error names the failing target and failureMode: failOpen', async () => {
    await assert.rejects(connect(gw.url), (e: Error) => {
      assert.match(e.message, /target "down" failed/);
      assert.match(e.message, /failureMode: failOpen would serve the other 1 target/);
      return true;
    });
  });

  test('the access log writes the failed initialize at warn, with its error', async () => {
    const line = await eventually(() =>
      gw.logs.find((l) => l.msg === 'request' && l['mcp.method'] === 'initialize'),
    );
    assert.equal(line.level, 'warn');
    assert.match(String(line.error), /target "down" failed/);
  });
});
