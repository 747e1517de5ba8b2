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
  // `headersDistinct` is a getter that builds a new object on every access: read it once.
  const distinct = req.headersDistinct;
  const connection = distinct['connection'];
  const connectionNamed =
    connection === undefined
      ? undefined
      : new Set(splitList(headerText(connection, ', ')).map((n) => n.toLowerCase()));
  const out: Record<string, string> = {};
  for (const name in distinct) {
    const values = distinct[name];
    if (values === undefined) continue;
    if (isHopByHop(name) || NEVER_FORWARDED.has(name) || connectionNamed?.has(name)) continue;
    if (name === 'authorization' && opts.stripAuthorization) continue;
    if (name === 'content-encoding' && !opts.forwardsBody) continue;
    out[name] = headerText(values, name === 'cookie' ? '; ' : ', ');
  }
  return out;
}

function headerText(values: readonly string[] | undefined, separator: string): string {
  return values === undefined ? '' : values.join(separator);
}
