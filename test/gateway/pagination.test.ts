/**
 * Pagination across several paging targets through the whole gateway: three Streamable HTTP upstreams
 * that each page their `tools/list` by 2 (5, 3 and 7 tools), an mcpAuthorization rule that hides some
 * tools on every page. Walking the gateway's cursor must return every allowed tool exactly once, in
 * target order, never a denied one, and must keep asking the targets that still have pages after the
 * shorter ones are exhausted.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { ServedFixture } from '../fixtures/serve.js';
import { servePaged } from '../mcp/paged-server.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { connect } from '../helpers/mcp-client.js';

async function walk(client: Client): Promise<{ names: string[]; pages: string[][] }> {
  const names: string[] = [];
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const r = await client.listTools(cursor === undefined ? {} : { cursor });
    const page = r.tools.map((t) => t.name);
    pages.push(page);
    names.push(...page);
    cursor = r.nextCursor;
    assert.ok(pages.length < 20, 'the cursor walk terminates');
  } while (cursor !== undefined);
  return { names, pages };
}

describe('pagination across three paging targets', () => {
  const upstreams: ServedFixture[] = [];
  let gw: TestGateway;

  before(async () => {
    upstreams.push(await servePaged('a', 5), await servePaged('b', 3), await servePaged('c', 7));
    const [a, b, c] = upstreams.map((u) => u.url);
    gw = await startGateway(
      `binds:
- port: 0
  listeners:
  - routes:
    - policies:
        mcpAuthorization:
          rules:
          - 'mcp.tool.name != "t2"'
      backends:
      - mcp:
          targets:
          - name: a
            mcp: {host: "${a}"}
          - name: b
            mcp: {host: "${b}"}
          - name: c
            mcp: {host: "${c}"}
`,
      { name: 'pagination' },
    );
  });
  after(async () => {
    await gw?.stop();
    await Promise.all(upstreams.map((u) => u.close()));
  });

  test('every allowed tool exactly once, in target order; denied ones on no page', async (t) => {
    const client = await connect(`${gw.url}/mcp`);
    t.after(() => client.close());
    const { names, pages } = await walk(client);
    const expected = [
      ...['t1', 't3', 't4', 't5'].map((n) => `a_${n}`),
      ...['t1', 't3'].map((n) => `b_${n}`),
      ...['t1', 't3', 't4', 't5', 't6', 't7'].map((n) => `c_${n}`),
    ];
    assert.deepEqual([...names].sort(), [...expected].sort());
    assert.equal(new Set(names).size, names.length, 'no tool twice');
    assert.ok(!names.some((n) => n.endsWith('_t2')), 'the denied tool is on no page');
    // Upstream pages are 2 long: the longest target (c, 7 tools) needs 4 pages, so the walk needs 4.
    assert.equal(pages.length, 4, JSON.stringify(pages));
    // The last page comes from c alone: a and b were exhausted earlier.
    assert.deepEqual(pages[3], ['c_t7']);
    // Within each target, order is kept.
    for (const prefix of ['a_', 'b_', 'c_']) {
      const mine = names.filter((n) => n.startsWith(prefix));
      assert.deepEqual(
        mine,
        expected.filter((n) => n.startsWith(prefix)),
      );
    }
  });

  test('two clients walking at once do not share cursor state', async (t) => {
    const [x, y] = await Promise.all([connect(`${gw.url}/mcp`), connect(`${gw.url}/mcp`)]);
    t.after(async () => {
      await x.close();
      await y.close();
    });
    const [rx, ry] = await Promise.all([walk(x), walk(y)]);
    assert.deepEqual(rx.names, ry.names);
    assert.equal(rx.names.length, 12);
  });
});
