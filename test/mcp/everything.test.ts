/**
 * The official SDK Client through the service to server-everything: each client transport (Streamable
 * HTTP, legacy SSE) × each upstream transport (stdio, Streamable HTTP, SSE). List and call tools, prompts,
 * resources and templates; progress; sampling and elicitation round trips.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { NormalizedTarget } from '../../src/config/types.js';
import {
  everythingStdio,
  httpTarget,
  sseTarget,
  startEverythingHttp,
  startHarness,
  type Harness,
} from './harness.js';

async function connect(url: string, transport: 'streamable' | 'sse'): Promise<Client> {
  const client = new Client(
    { name: 'everything-test', version: '1.0.0' },
    { capabilities: { sampling: {}, elicitation: { form: {} } } },
  );
  client.setRequestHandler(CreateMessageRequestSchema, async (req) => ({
    role: 'assistant',
    content: { type: 'text', text: `sampled: ${JSON.stringify(req.params.messages[0]?.content)}` },
    model: 'test-model',
    stopReason: 'endTurn',
  }));
  client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { name: 'Ada' } }));
  const t =
    transport === 'sse'
      ? new SSEClientTransport(new URL(`${url}/sse`))
      : new StreamableHTTPClientTransport(new URL(`${url}/mcp`));
  await client.connect(t);
  return client;
}

function text(result: unknown): string {
  const c =
    ((result as { content?: unknown }).content as { type: string; text?: string }[] | undefined) ?? [];
  return c.map((x) => x.text ?? '').join('');
}

const upstreamKinds = ['stdio', 'mcp', 'sse'] as const;
const clientKinds = ['streamable', 'sse'] as const;

for (const upstreamKind of upstreamKinds) {
  describe(`server-everything upstream over ${upstreamKind}`, () => {
    let h: Harness;
    let stopUpstream: () => Promise<void> = async () => {};
    before(async () => {
      let t: NormalizedTarget;
      if (upstreamKind === 'stdio') t = everythingStdio('everything');
      else {
        const srv = await startEverythingHttp(upstreamKind === 'mcp' ? 'streamableHttp' : 'sse');
        stopUpstream = srv.stop;
        t = upstreamKind === 'mcp' ? httpTarget('everything', srv.url) : sseTarget('everything', srv.url);
      }
      h = await startHarness({ targets: [t] });
    });
    after(async () => {
      await h.close();
      await stopUpstream();
    });

    for (const clientKind of clientKinds) {
      it(`client over ${clientKind}: tools, prompts, resources, templates, progress, sampling, elicitation`, async () => {
        const client = await connect(h.url, clientKind);
        try {
          const info = client.getServerVersion();
          assert.equal(
            info?.name,
            'mcp-servers/everything',
            'single target: the upstream InitializeResult passes through',
          );

          const tools = (await client.listTools()).tools.map((t) => t.name);
          for (const name of ['echo', 'get-sum', 'trigger-long-running-operation'])
            assert.ok(tools.includes(name), name);
          const echo = await client.callTool({ name: 'echo', arguments: { message: 'hi' } });
          assert.match(text(echo), /hi/);
          const sum = await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } });
          assert.match(text(sum), /5/);

          const prompts = (await client.listPrompts()).prompts.map((p) => p.name);
          assert.ok(prompts.includes('simple-prompt'));
          const prompt = await client.getPrompt({ name: 'args-prompt', arguments: { city: 'Paris' } });
          assert.ok(prompt.messages.length > 0);

          const resources = (await client.listResources()).resources;
          assert.ok(resources.length > 0);
          const read = await client.readResource({ uri: resources[0]!.uri });
          assert.equal(read.contents[0]?.uri, resources[0]!.uri);
          const templates = (await client.listResourceTemplates()).resourceTemplates;
          assert.ok(templates.some((t) => t.uriTemplate.includes('{')));

          const progress: number[] = [];
          const long = await client.callTool(
            { name: 'trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 } },
            undefined,
            { onprogress: (p) => progress.push(p.progress), timeout: 20_000 },
          );
          assert.match(text(long), /completed/i);
          assert.ok(progress.length >= 2, `progress notifications relayed (${progress.length})`);

          // Conditional tools appear after initialization (the client declared sampling/elicitation).
          const all = (await client.listTools()).tools.map((t) => t.name);
          assert.ok(all.includes('trigger-sampling-request'), 'sampling tool listed');
          const sampled = await client.callTool({
            name: 'trigger-sampling-request',
            arguments: { prompt: 'ping?' },
          });
          assert.match(text(sampled), /sampled/);
          const elicited = await client.callTool({ name: 'trigger-elicitation-request', arguments: {} });
          assert.match(JSON.stringify(elicited), /Ada|accept/);
        } finally {
          await client.close();
        }
      });
    }
  });
}
