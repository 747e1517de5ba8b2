/**
 * Which downstream request headers reach HTTP upstreams.
 * Everything is copied — custom headers, cookies, `traceparent` — except:
 * - hop-by-hop fields (RFC 9110 §7.6.1) and any field named in `Connection`;
 * - framing the upstream client computes itself: `host`, `content-length`, `expect`,
 *   `accept-encoding` (the client negotiates and decodes its own compression), and `content-encoding`
 *   unless the client's body bytes are forwarded unchanged (`forwardsBody`, plain HTTP proxying);
 * - MCP session state of the downstream hop, which the gateway keeps per upstream: `mcp-session-id`,
 *   `mcp-protocol-version` (negotiated with each upstream), `last-event-id` (resumption ids are per stream);
 * - `authorization` when `stripAuthorization` (a verified jwtAuth token is for the gateway, not the
 *   upstream; `backendAuth: passthrough` re-adds it on purpose).
 * Multi-valued fields are joined with ", " (`cookie` with "; ", RFC 6265 §5.4).
 */
import type { IncomingMessage } from 'node:http';
import { isHopByHop, splitList } from '../policies/headers/names.js';

const NEVER_FORWARDED: ReadonlySet<string> = new Set([
  'host',
  'content-length',
  'accept-encoding',
  'expect',
  'mcp-session-id',
  'mcp-protocol-version',
  'last-event-id',
]);

export interface UpstreamHeaderOptions {
  /** Drop the client's `Authorization` (jwtAuth/mcpAuthentication verified it for the gateway). */
  readonly stripAuthorization: boolean;
  /**
   * The request body is streamed to the upstream as received (host backends): keep `content-encoding`,
   * which describes those bytes. MCP upstreams get a body the gateway re-serialised: leave it false.
   */
  readonly forwardsBody?: boolean;
}

export function upstreamHeadersFrom(
  req: IncomingMessage,
  opts: UpstreamHeaderOptions = { stripAuthorization: false },
): Record<string, string> {
  // Read from `rawHeaders` (already there) rather than `headersDistinct`, a getter that builds an
  // object of arrays on every access; same result: every value of a name, in order.
  const raw = req.rawHeaders;
  let connectionNamed: Set<string> | undefined;
  const out: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    if (name === 'connection') {
      connectionNamed ??= new Set();
      for (const n of splitList(value)) connectionNamed.add(n.toLowerCase());
    }
    if (isHopByHop(name) || NEVER_FORWARDED.has(name)) continue;
    if (name === 'authorization' && opts.stripAuthorization) continue;
    if (name === 'content-encoding' && !opts.forwardsBody) continue;
    const prev = out[name];
    out[name] = prev === undefined ? value : prev + (name === 'cookie' ? '; ' : ', ') + value;
  }
  if (connectionNamed) for (const name of connectionNamed) delete out[name];
  return out;
}
