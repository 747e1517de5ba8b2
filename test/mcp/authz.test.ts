/**
 * The authorizer hook: list items filtered one by one (across pagination too), denied calls answered
 * exactly like nonexistent items (-32602 Unknown tool/prompt/resource) without contacting the upstream,
 * the static per-target tools filter applied before the authorizer, and the decision recorded for the
 * access log and telemetry.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createSeedServer } from '../fixtures/seed-server.js';
import { serveHttp, type ServedFixture } from '../fixtures/serve.js';
import { fromPredicate, type TestAuthorizer } from './authorizers.js';
import { httpTarget, startHarness, type Harness } from './harness.js';
import { servePaged } from './paged-server.js';

async function connect(url: string, sub?: string): Promise<Client> {
  const client = new Client({ name: 'authz-test', version: '1.0.0' });
  const headers: Record<string, string> = sub ? { 'x-test-sub': sub } : {};
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers } }),
  );
  return client;
}

async function all<T>(
  fetchPage: (cursor?: string) => Promise<{ items: T[]; nextCursor?: string | undefined }>,
): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const p = await fetchPage(cursor);
    out.push(...p.items);
    cursor = p.nextCursor;
  } while (cursor !== undefined);
  return out;
}

const toolNames = (c: Client) =>
  all(async (cursor) => {
    const r = await c.listTools(cursor === undefined ? {} : { cursor });
    return { items: r.tools.map((t) => t.name), nextCursor: r.nextCursor };
  });

describe('authorization hook', () => {
  let h: Harness;
  let paged: ServedFixture;
  let seed: ServedFixture;
  let authz: TestAuthorizer;
  before(async () => {
    paged = await servePaged('a', 6);
    seed = await serveHttp(() => createSeedServer());
    // anonymous: echo, a/t1, a/t4 (t4 is on the second upstream page), resource r1 only, no prompts;
    // admin: everything. a/t6 is hidden for everyone by the static filter.
    authz = fromPredicate((item, subject) => {
      if (subject.identity?.sub === 'admin') return true;
      if (item.kind === 'tool') return ['echo', 't1', 't4'].includes(item.name);
      if (item.kind === 'resource') return item.name === 'paged://a/r1';
      return false;
    });
    h = await startHarness({
      targets: [
        httpTarget('a', paged.url, { tools: { include: ['t*'], exclude: ['t6'] } }),
        httpTarget('seed', seed.url),
      ],
      authorizer: authz,
    });
  });
  after(async () => {
    await h.close();
    await paged.close();
    await seed.close();
  });

  it('filters list items per caller, across pagination, after the static tools filter', async () => {
    const anon = await connect(h.url);
    const admin = await connect(h.url, 'admin');
    try {
      assert.deepEqual((await toolNames(anon)).sort(), ['a_t1', 'a_t4', 'seed_echo']);
      const adminTools = await toolNames(admin);
      assert.ok(adminTools.includes('seed_add') && adminTools.includes('a_t5'));
      assert.ok(!adminTools.includes('a_t6'), 'the static exclude hides t6 for everyone');
      assert.ok(
        !authz.asked.some((a) => a.item.kind === 'tool' && a.item.name === 't6'),
        'the authorizer is not even asked about statically hidden tools',
      );
      // Names given to the authorizer are the upstream's own, with the target.
      assert.ok(
        authz.asked.some(
          (a) => a.item.name === 'echo' && a.item.target === 'seed' && a.subject.mcpMethod === 'tools/list',
        ),
      );
      assert.deepEqual((await anon.listPrompts()).prompts, []);
      assert.ok((await admin.listPrompts()).prompts.some((p) => p.name === 'seed_greeting'));
      const anonResources = await all(async (cursor) => {
        const r = await anon.listResources(cursor === undefined ? {} : { cursor });
        return { items: r.resources.map((x) => x.uri), nextCursor: r.nextCursor };
      });
      assert.deepEqual(anonResources, ['a+paged://a/r1']);
    } finally {
      await anon.close();
      await admin.close();
    }
  });

  it('denied calls answer like nonexistent items and never reach the upstream', async () => {
    const anon = await connect(h.url);
    try {
      const seedCalls = () => seed.requests.filter((r) => r.rpcMethod === 'tools/call').length;
      const before = seedCalls();
      const denied = await anon
        .callTool({ name: 'seed_add', arguments: { a: 1, b: 2 } })
        .catch((e: Error & { code: number }) => e);
      const missing = await anon
        .callTool({ name: 'nope_add', arguments: {} })
        .catch((e: Error & { code: number }) => e);
      assert.ok(denied instanceof Error && missing instanceof Error);
      assert.equal(denied.code, -32602);
      assert.equal(missing.code, -32602);
      assert.equal(
        denied.message.replace('seed_add', 'X'),
        missing.message.replace('nope_add', 'X'),
        'same shape',
      );
      assert.match(denied.message, /Unknown tool: seed_add/);
      assert.equal(seedCalls(), before, 'the upstream was not contacted');

      await assert.rejects(
        anon.getPrompt({ name: 'seed_greeting', arguments: { name: 'x' } }),
        /Unknown prompt: seed_greeting/,
      );
      await assert.rejects(
        anon.readResource({ uri: 'a+paged://a/r2' }),
        /Unknown resource: a\+paged:\/\/a\/r2/,
      );
      await assert.rejects(
        anon.complete({
          ref: { type: 'ref/prompt', name: 'seed_greeting' },
          argument: { name: 'name', value: 'x' },
        }),
        /Unknown prompt: seed_greeting/,
      );
      await assert.rejects(anon.subscribeResource({ uri: 'a+paged://a/r3' }), /Unknown resource/);
      // Allowed ones go through.
      assert.match(JSON.stringify(await anon.callTool({ name: 'a_t4', arguments: {} })), /a:t4/);
      assert.match(
        JSON.stringify(await anon.readResource({ uri: 'a+paged://a/r1' })),
        /content of paged:\/\/a\/r1/,
      );
    } finally {
      await anon.close();
    }
  });

  it('statically hidden tools are unknown even to callers the authorizer allows', async () => {
    const admin = await connect(h.url, 'admin');
    try {
      await assert.rejects(admin.callTool({ name: 'a_t6', arguments: {} }), /Unknown tool: a_t6/);
      assert.match(
        JSON.stringify(await admin.callTool({ name: 'seed_add', arguments: { a: 1, b: 2 } })),
        /3/,
      );
    } finally {
      await admin.close();
    }
  });

  it('records authz.decision, authz.rule and mcp.* on the access log, and one telemetry event per message', async () => {
    const anon = await connect(h.url);
    try {
      const n = h.events.length;
      await anon.callTool({ name: 'seed_printEnv', arguments: {} }).catch(() => undefined);
      const entry = h.access.findLast((a) => a['mcp.method'] === 'tools/call');
      assert.ok(entry);
      assert.equal(entry['authz.decision'], 'deny');
      assert.equal(entry['authz.rule'], 'no rule allowed it');
      assert.equal(entry['mcp.target'], 'seed');
      assert.equal(entry['mcp.resource.type'], 'tool');
      assert.equal(entry['mcp.resource.name'], 'printEnv');
      assert.ok(typeof entry['mcp.session'] === 'string');
      const ev = h.events.slice(n).filter((e) => e.method === 'tools/call');
      assert.equal(ev.length, 1);
      assert.deepEqual(ev[0], {
        method: 'tools/call',
        target: 'seed',
        resourceType: 'tool',
        resource: 'printEnv',
        decision: 'deny',
      });
    } finally {
      await anon.close();
    }
  });
});
