/**
 * Exhaustion: 500 anonymous `initialize` requests against a stdio target, from five source addresses, 25
 * at a time. The gateway stays within its limits — stdio children (counted with ps and in /metrics)
 * never exceed `stdioChildrenPerTarget`, sessions never exceed what the per-caller cap allows — every
 * refusal is a clean JSON-RPC error (429 or 503, the request's id), and a legitimate client is served
 * once the flood's idle sessions are reaped.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { countProcs, initBody, metric, post, stdioTarget, until } from './limits-helpers.js';

const TOTAL = 500;
const PARALLEL = 25;
const CHILDREN = 40;
const PER_CALLER = 10;
/**
 * One loud anonymous caller (4 requests in 5) and four quieter ones: the loud one meets the per-caller
 * cap, and together they could hold 50 sessions, more than the 40 children allowed.
 */
const QUIET = ['127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6'];
const source = (n: number): string => (n % 5 === 0 ? (QUIET[(n / 5) % 4] as string) : '127.0.0.1');

describe('exhaustion: 500 anonymous initialize', () => {
  let gw: TestGateway | undefined;
  after(() => gw?.stop());

  it('stays within the limits, answers every refusal cleanly and still serves a legitimate client', async (t) => {
    const { stdio, tag } = stdioTarget();
    gw = await startGateway(
      `
config:
  limits: { sessionsPerIdentity: ${PER_CALLER}, stdioChildrenPerTarget: ${CHILDREN}, sessionIdleTimeout: 8s }
binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
          targets:
          - name: limits
            stdio: ${stdio}
`,
      { name: 'mcp-exhaustion' },
    );
    const url = `${gw.url}/mcp`;
    const statuses = new Map<number, number>();
    let peakChildren = 0;
    let peakSessions = 0;
    const sample = async (): Promise<void> => {
      peakChildren = Math.max(peakChildren, countProcs(tag));
      peakSessions = Math.max(peakSessions, await metric(gw!.statsUrl, 'portcullis_mcp_sessions_active'));
    };
    for (let i = 0; i < TOTAL; i += PARALLEL) {
      const replies = await Promise.all(
        Array.from({ length: PARALLEL }, (_, k) => post(url, initBody(i + k), {}, source(i + k))),
      );
      for (const [k, r] of replies.entries()) {
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        assert.ok([200, 429, 503].includes(r.status), `status ${r.status}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.jsonrpc, '2.0');
        assert.equal(r.body.id, i + k);
        if (r.status !== 200) {
          const e = r.body.error as { code: number; message: string };
          assert.equal(e.code, -32000);
          assert.match(e.message, /session limit per caller|stdio process limit/);
          assert.doesNotMatch(e.message, /at .*\.ts:\d+/); // no stack
        }
      }
      await sample();
    }
    t.diagnostic(
      `statuses ${JSON.stringify(Object.fromEntries(statuses))}, peak children ${peakChildren}, peak sessions ${peakSessions}`,
    );
    assert.ok(peakChildren <= CHILDREN, `children peaked at ${peakChildren}`);
    assert.ok(peakSessions <= CHILDREN, `sessions peaked at ${peakSessions}`);
    assert.ok((statuses.get(200) ?? 0) >= CHILDREN, 'the first sessions were served');
    assert.ok((statuses.get(429) ?? 0) > 0, 'the per-caller cap refused some');
    assert.ok((statuses.get(503) ?? 0) > 0, 'the process cap refused some');
    // The flood's sessions idle out; a legitimate caller (another address) is served.
    const legit = { status: 0 };
    assert.ok(
      await until(
        async () => (legit.status = (await post(url, initBody('legit'), {}, '127.0.0.9')).status) === 200,
        20_000,
      ),
      `legitimate client got ${legit.status}`,
    );
    assert.ok(await until(() => countProcs(tag) <= 1, 20_000), `children left: ${countProcs(tag)}`);
  });
});
