/** Headers the transport itself owns: per-send headers never override them (hop-by-hop and framing). */
const HOP_BY_HOP = [
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'content-encoding',
  'expect',
];

/** For MCP upstreams: the upstream session and protocol version are ours, never the client's. */
export const MCP_RESERVED: ReadonlySet<string> = new Set([
  ...HOP_BY_HOP,
  'accept',
  'content-type',
  'mcp-session-id',
  'mcp-protocol-version',
  'last-event-id',
]);

/** For OpenAPI upstreams: the body is always JSON; MCP headers make no sense to a REST API. */
export const API_RESERVED: ReadonlySet<string> = new Set([
  ...HOP_BY_HOP,
  'content-type',
  'mcp-session-id',
  'mcp-protocol-version',
  'mcp-method',
  'mcp-name',
  'last-event-id',
]);

/** `base` with `extra` merged over it (lower-cased names), skipping reserved names and non-string values. */
export function mergeHeaders(
  base: Readonly<Record<string, string>>,
  extra: Readonly<Record<string, unknown>> | undefined,
  reserved: ReadonlySet<string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in base) out[k.toLowerCase()] = base[k]!;
  return mergeHeadersInto(out, extra, reserved);
}

/** `extra` merged into `out` itself (lower-cased names, reserved and non-string values skipped): no copy. */
export function mergeHeadersInto(
  out: Record<string, string>,
  extra: Readonly<Record<string, unknown>> | undefined,
  reserved: ReadonlySet<string>,
): Record<string, string> {
  if (extra) {
    for (const k in extra) {
      const v = extra[k];
      const name = k.toLowerCase();
      if (typeof v !== 'string' || reserved.has(name)) continue;
      out[name] = v;
    }
  }
  return out;
}
