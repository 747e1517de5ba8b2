/**
 * Which MCP calls may be sent twice. A JSON-RPC request whose method reads (lists, reads, gets,
 * pings, initializes) is safe to repeat; anything else — `tools/call` first of all, which may have run
 * before the upstream failed — is not. Notifications and responses are never retried either.
 */
const SAFE_METHODS: ReadonlySet<string> = new Set([
  'initialize',
  'ping',
  'tools/list',
  'prompts/list',
  'prompts/get',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'completion/complete',
]);

export type McpIdempotency = 'not-mcp' | 'safe' | 'unsafe';

/** A JSON-RPC request with this method may be sent twice. */
export function isSafeMcpMethod(method: string): boolean {
  return SAFE_METHODS.has(method);
}

/** Classify a request body: `not-mcp` when it is not a JSON-RPC message at all. */
export function mcpIdempotency(body: Buffer | undefined): McpIdempotency {
  if (!body || body.length === 0) return 'not-mcp';
  let msg: unknown;
  try {
    msg = JSON.parse(body.toString('utf8'));
  } catch {
    return 'not-mcp';
  }
  const one = (m: unknown): McpIdempotency => {
    if (typeof m !== 'object' || m === null || (m as { jsonrpc?: unknown }).jsonrpc !== '2.0')
      return 'not-mcp';
    const { method, id } = m as { method?: unknown; id?: unknown };
    if (typeof method !== 'string') return 'unsafe';
    return id !== undefined && SAFE_METHODS.has(method) ? 'safe' : 'unsafe';
  };
  if (Array.isArray(msg)) {
    const kinds = msg.map(one);
    if (kinds.every((k) => k === 'not-mcp')) return 'not-mcp';
    return kinds.every((k) => k === 'safe') ? 'safe' : 'unsafe';
  }
  return one(msg);
}
