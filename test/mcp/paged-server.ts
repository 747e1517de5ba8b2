/**
 * A small upstream for multiplexing tests: `tools/list` and `resources/list` paginate (page size 2), so
 * pagination through the gateway's cursor can be checked; every call answers with the target's label.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CallToolRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { serveHttp, type ServedFixture } from '../fixtures/serve.js';

const PAGE = 2;

function page<T>(all: T[], cursor: string | undefined): { items: T[]; nextCursor?: string } {
  const start = cursor === undefined ? 0 : Number(cursor);
  const items = all.slice(start, start + PAGE);
  return start + PAGE < all.length ? { items, nextCursor: String(start + PAGE) } : { items };
}

export function createPagedServer(label: string, toolCount: number): McpServer {
  const mcp = new McpServer(
    { name: `paged-${label}`, version: '1.0.0' },
    { capabilities: { tools: {}, prompts: {}, resources: {} }, instructions: `Paged server ${label}.` },
  );
  const s = mcp.server;
  const tools = Array.from({ length: toolCount }, (_, i) => ({
    name: `t${i + 1}`,
    description: `tool ${i + 1} of ${label}`,
    inputSchema: { type: 'object' as const, properties: {} },
  }));
  const resources = [1, 2, 3].map((i) => ({ uri: `paged://${label}/r${i}`, name: `r${i}` }));
  s.setRequestHandler(ListToolsRequestSchema, async (req) => {
    const p = page(tools, req.params?.cursor);
    return { tools: p.items, ...(p.nextCursor ? { nextCursor: p.nextCursor } : {}) };
  });
  s.setRequestHandler(CallToolRequestSchema, async (req) => ({
    content: [
      { type: 'text', text: `${label}:${req.params.name}` },
      { type: 'resource_link', uri: `paged://${label}/r1`, name: 'r1' },
    ],
  }));
  s.setRequestHandler(ListResourcesRequestSchema, async (req) => {
    const p = page(resources, req.params?.cursor);
    return { resources: p.items, ...(p.nextCursor ? { nextCursor: p.nextCursor } : {}) };
  });
  s.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
    resourceTemplates: [{ uriTemplate: `paged://${label}/item/{id}`, name: 'item' }],
  }));
  s.setRequestHandler(ReadResourceRequestSchema, async (req) => ({
    contents: [{ uri: req.params.uri, text: `${label} content of ${req.params.uri}` }],
  }));
  s.setRequestHandler(ListPromptsRequestSchema, async () => ({
    prompts: [{ name: 'hello', description: 'hi' }],
  }));
  s.setRequestHandler(GetPromptRequestSchema, async (req) => ({
    messages: [{ role: 'user', content: { type: 'text', text: `${label}:${req.params.name}` } }],
  }));
  return mcp;
}

export function servePaged(label: string, toolCount = 5): Promise<ServedFixture> {
  return serveHttp(() => createPagedServer(label, toolCount));
}
