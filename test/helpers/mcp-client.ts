/** Official MCP SDK clients connected through the gateway. */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';

export async function connect(
  url: string,
  opts: { token?: string; transport?: 'streamable' | 'sse'; headers?: Record<string, string> } = {},
): Promise<Client> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const client = new Client({ name: 'portcullis-test', version: '1.0.0' }, { capabilities: {} });
  const u = new URL(url);
  const transport =
    opts.transport === 'sse'
      ? new SSEClientTransport(u, {
          requestInit: { headers },
          eventSourceInit: {
            fetch: (input, init) =>
              fetch(input, { ...init, headers: { ...(init?.headers as object), ...headers } }),
          },
        })
      : new StreamableHTTPClientTransport(u, { requestInit: { headers } });
  await client.connect(transport);
  return client;
}

export async function toolNames(client: Client): Promise<string[]> {
  const r = await client.listTools();
  return r.tools.map((t) => t.name).sort();
}
