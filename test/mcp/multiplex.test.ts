/**
 * Multiplexing: two and three targets (stdio and HTTP), prefixed names, routing, URI rewriting, merged
 * initialize, pagination across targets with the gateway's cursor, failing targets under failClosed and
 * failOpen, and an in-flight request failing at once when its upstream dies.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { createFlakyServer } from '../fixtures/flaky-server.js';
import { serveHttp, type ServedFixture } from '../fixtures/serve.js';
import { backendOf, fixtureStdio, httpTarget, startHarness, until, type Harness } from './harness.js';
import { servePaged } from './paged-server.js';

async function connect(url: string): Promise<Client> {
  const client = new Client({ name: 'mux-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
  return client;
}

async function allTools(client: Client): Promise<{ names: string[]; pages: number }> {
  const names: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const r = await client.listTools(cursor === undefined ? {} : { cursor });
    pages++;
    names.push(...r.tools.map((t: Tool) => t.name));
    cursor = r.nextCursor;
  } while (cursor !== undefined);
  return { names, pages };
}

function text(result: unknown): string {
  const c = ((result as { content?: unknown }).content as { text?: string }[] | undefined) ?? [];
  return c.map((x) => x.text ?? '').join('|');
}

describe('two targets: stdio + Streamable HTTP', () => {
  let h: Harness;
  let paged: ServedFixture;
  before(async () => {
    paged = await servePaged('p', 5);
    h = await startHarness({
      targets: [fixtureStdio('seed', 'seed-server.ts'), httpTarget('paged', paged.url)],
    });
  });
  after(async () => {
    await h.close();
    await paged.close();
  });

  it('merges initialize: gateway serverInfo, lowest version, per-target instructions', async () => {
    const client = await connect(h.url);
    try {
      assert.equal(client.getServerVersion()?.name, 'portcullis');
      const instructions = client.getInstructions() ?? '';
      assert.match(instructions, /\[paged\]\nPaged server p\./);
      const caps = client.getServerCapabilities();
      assert.ok(caps?.tools && caps.prompts && caps.resources);
    } finally {
      await client.close();
    }
  });

  it('prefixes names, paginates across targets, and routes calls to the owning target', async () => {
    const client = await connect(h.url);
    try {
      const first = await client.listTools();
      const firstNames = first.tools.map((t) => t.name);
      assert.ok(
        firstNames.includes('seed_echo'),
        'the first page carries every target (non-paginating clients)',
      );
      assert.ok(firstNames.includes('paged_t1') && firstNames.includes('paged_t2'));
      assert.ok(first.nextCursor, 'the paged target has more');
      const { names, pages } = await allTools(client);
      assert.equal(pages, 3);
      assert.deepEqual(
        names.filter((n) => n.startsWith('paged_')),
        ['paged_t1', 'paged_t2', 'paged_t3', 'paged_t4', 'paged_t5'],
      );
      assert.deepEqual(names.filter((n) => n.startsWith('seed_')).sort(), [
        'seed_add',
        'seed_echo',
        'seed_printEnv',
      ]);

      assert.match(
        text(await client.callTool({ name: 'seed_echo', arguments: { message: 'x' } })),
        /Echo: x/,
      );
      const p5 = await client.callTool({ name: 'paged_t5', arguments: {} });
      assert.match(text(p5), /^p:t5/);
      const link = (p5.content as { type: string; uri?: string }[]).find((c) => c.type === 'resource_link');
      assert.equal(link?.uri, 'paged+paged://p/r1', 'resource links in results are prefixed');

      const prompt = await client.getPrompt({ name: 'paged_hello' });
      assert.match(JSON.stringify(prompt.messages), /p:hello/);
    } finally {
      await client.close();
    }
  });

  it('rewrites resource and template URIs as <target>+<uri> and reads them back', async () => {
    const client = await connect(h.url);
    try {
      const uris: string[] = [];
      let cursor: string | undefined;
      do {
        const r = await client.listResources(cursor === undefined ? {} : { cursor });
        uris.push(...r.resources.map((x) => x.uri));
        cursor = r.nextCursor;
      } while (cursor);
      assert.ok(uris.includes('paged+paged://p/r3'), uris.join());
      assert.ok(uris.some((u) => u.startsWith('seed+')));
      const read = await client.readResource({ uri: 'paged+paged://p/r2' });
      assert.equal(read.contents[0]?.uri, 'paged+paged://p/r2');
      assert.match(String((read.contents[0] as { text?: string }).text), /content of paged:\/\/p\/r2/);
      const templates = await client.listResourceTemplates();
      assert.ok(templates.resourceTemplates.some((t) => t.uriTemplate === 'paged+paged://p/item/{id}'));
      const item = await client.readResource({ uri: 'paged+paged://p/item/7' });
      assert.match(JSON.stringify(item), /paged:\/\/p\/item\/7/);
    } finally {
      await client.close();
    }
  });

  it('answers -32602 Unknown tool for names that name no target', async () => {
    const client = await connect(h.url);
    try {
      for (const name of ['echo', 'nope_echo', '_echo', 'seed_']) {
        await assert.rejects(client.callTool({ name, arguments: {} }), (e: Error & { code?: number }) => {
          assert.equal(e.code, -32602);
          assert.match(e.message, new RegExp(`Unknown tool: ${name}`));
          return true;
        });
      }
      await assert.rejects(client.readResource({ uri: 'nope+x://y' }), /Unknown resource: nope\+x:\/\/y/);
      await assert.rejects(client.getPrompt({ name: 'nope_x' }), /Unknown prompt: nope_x/);
    } finally {
      await client.close();
    }
  });

  it('rejects a stale or forged cursor with -32602', async () => {
    const client = await connect(h.url);
    try {
      await assert.rejects(
        client.listTools({ cursor: 'bm90LWEtY3Vyc29y' }),
        (e: Error & { code?: number }) => e.code === -32602,
      );
    } finally {
      await client.close();
    }
  });
});

describe('three targets with a failing one', () => {
  let h: Harness;
  let paged: ServedFixture;
  let flaky: ServedFixture;
  before(async () => {
    paged = await servePaged('p', 3);
    flaky = await serveHttp(createFlakyServer);
    h = await startHarness({
      targets: [
        fixtureStdio('seed', 'seed-server.ts'),
        httpTarget('paged', paged.url),
        httpTarget('flaky', flaky.url),
      ],
    });
  });
  after(async () => {
    await h.close();
    await paged.close();
    await flaky.close();
  });

  it('fails an in-flight call at once when its upstream dies, then applies failClosed and failOpen to lists', async () => {
    const client = await connect(h.url);
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      assert.ok(names.includes('flaky_die') && names.includes('seed_add') && names.includes('paged_t1'));

      // The failure names the target and is not a timeout (the gateway did not wait for one).
      await assert.rejects(
        client.callTool({ name: 'flaky_die', arguments: {} }, undefined, { timeout: 20_000 }),
        /target "flaky" failed: (?![^\n]*tim(?:ed|e) ?out)/i,
      );

      // failClosed (default): the failing target fails the whole list, and the error names it.
      await assert.rejects(client.listTools(), (e: Error) => {
        assert.match(e.message, /target "flaky" failed/);
        return true;
      });

      // failOpen: the failing target is skipped and the skip is logged.
      h.backend = backendOf({ ...optsOf(h), config: { failureMode: 'failOpen' } });
      const open = (await client.listTools()).tools.map((t) => t.name);
      assert.ok(open.includes('seed_echo') && open.includes('paged_t1'));
      assert.ok(!open.some((n) => n.startsWith('flaky_')));
      await until(
        () => h.logs.some((l) => l.msg === 'failOpen: skipping failed target' && l.target === 'flaky'),
        5000,
        'failOpen log',
      );
      // Calls to the other targets still work.
      assert.match(text(await client.callTool({ name: 'paged_t2', arguments: {} })), /p:t2/);
    } finally {
      await client.close();
    }
  });

  function optsOf(x: Harness) {
    return { targets: x.backend.config.targets, backendKey: x.backend.key };
  }
});

describe('a target that cannot be reached at initialize', () => {
  let paged: ServedFixture;
  before(async () => {
    paged = await servePaged('p', 2);
  });
  after(async () => {
    await paged.close();
  });

  for (const failureMode of ['failClosed', 'failOpen'] as const) {
    it(`${failureMode}`, async () => {
      const h = await startHarness({
        targets: [
          httpTarget('paged', paged.url),
          httpTarget('dead', 'http://127.0.0.1:9/mcp', { connectTimeoutMs: 2000 }),
        ],
        config: { failureMode },
      });
      try {
        if (failureMode === 'failClosed') {
          await assert.rejects(connect(h.url), /target "dead" failed/);
          assert.equal(h.service.sessions().length, 0, 'no session left behind');
        } else {
          const client = await connect(h.url);
          const names = (await client.listTools()).tools.map((t) => t.name);
          assert.deepEqual(names, ['paged_t1', 'paged_t2']);
          await assert.rejects(client.callTool({ name: 'dead_x', arguments: {} }), /target "dead" failed/);
          await client.close();
        }
      } finally {
        await h.close();
      }
    });
  }
});
