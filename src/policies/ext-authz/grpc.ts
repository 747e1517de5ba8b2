/**
 * extAuthz over gRPC: `envoy.service.auth.v3.Authorization/Check` with the attributes agentgateway
 * sends — source and destination peers, the HTTP request (id = traceparent, method, headers including
 * the `:method`/`:path`/`:authority`/`:scheme` pseudo-headers, path with query, host, scheme, protocol),
 * `context_extensions` from `protocol.grpc.context`, and `metadata_context.filter_metadata` from
 * `protocol.grpc.metadata` (CEL) or, without it, the verified JWT claims under
 * `envoy.filters.http.jwt_authn` (`jwt_payload`), as Envoy's jwt_authn filter would hand them over.
 * With `includeRequestBody`, the body (./body.ts). On MCP routes these are the same attributes as on any
 * route, as agentgateway sends them: the `mcp-session-id` and `mcp-protocol-version` headers are among
 * the headers, and the JSON-RPC message (method, tool name, arguments) is the body.
 */
import { randomBytes } from 'node:crypto';
import type { RequestContext } from '../../contracts/request-context.js';
import { buildBaseActivation, type CompiledCel } from '../../cel/index.js';
import { toPbStruct, toPbValue, type PbStruct } from '../../grpc/struct.js';
import type { PbHeaderValueOption } from './header-ops.js';
import { grpcBodyFields, type BodyOptions, type CheckBody } from './body.js';

export interface CheckResponse {
  status?: { code?: number; message?: string } | null;
  http_response?: 'denied_response' | 'ok_response';
  denied_response?: {
    status?: { code?: number } | null;
    headers?: PbHeaderValueOption[];
    body?: string;
  } | null;
  ok_response?: {
    headers?: PbHeaderValueOption[];
    headers_to_remove?: string[];
    response_headers_to_add?: PbHeaderValueOption[];
  } | null;
  dynamic_metadata?: PbStruct | null;
}

export interface GrpcCheckOptions {
  readonly include: readonly string[] | undefined;
  readonly context: Readonly<Record<string, string>>;
  readonly metadata: readonly (readonly [string, CompiledCel])[] | undefined;
  /** `includeRequestBody`, when set. */
  readonly body: BodyOptions | undefined;
}

function peer(address: string | undefined, port: number | undefined): unknown {
  return { address: { socket_address: { protocol: 'TCP', address: address ?? '', port_value: port ?? 0 } } };
}

export function pseudoHeaders(ctx: RequestContext): Record<string, string> {
  return {
    ':method': ctx.request.method,
    ':path': ctx.url.pathname + ctx.url.search,
    ':authority': ctx.request.host,
    ':scheme': ctx.request.scheme,
  };
}

/** The headers sent to the service: all (with pseudo-headers) unless `includeRequestHeaders` lists some. */
export function selectHeaders(
  ctx: RequestContext,
  include: readonly string[] | undefined,
): Record<string, string> {
  const pseudo = pseudoHeaders(ctx);
  if (!include) return { ...pseudo, ...ctx.request.headers };
  const out: Record<string, string> = {};
  for (const name of include) {
    const v = name.startsWith(':') ? pseudo[name] : ctx.request.headers[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}

export function buildCheckRequest(ctx: RequestContext, o: GrpcCheckOptions, body?: CheckBody): unknown {
  const now = Date.now();
  const size = Number(ctx.request.headers['content-length'] ?? -1);
  let filterMetadata: Record<string, PbStruct> = {};
  if (o.metadata) {
    const activation = buildBaseActivation({
      identity: ctx.identity,
      request: ctx.request,
      source: ctx.source,
    });
    for (const [key, expr] of o.metadata) {
      try {
        const v = toPbValue(expr(activation));
        if (v.struct_value) filterMetadata[key] = v.struct_value;
      } catch {
        // A metadata expression that fails to evaluate is left out (agentgateway).
      }
    }
  } else if (ctx.identity && (ctx.identity.scheme ?? 'jwt') === 'jwt') {
    filterMetadata = {
      'envoy.filters.http.jwt_authn': toPbStruct({ jwt_payload: ctx.identity.claims }),
    };
  }
  return {
    attributes: {
      source: peer(ctx.source.address, ctx.source.port),
      destination: peer(ctx.req.socket.localAddress, ctx.req.socket.localPort),
      request: {
        time: { seconds: Math.floor(now / 1000), nanos: (now % 1000) * 1e6 },
        http: {
          id: ctx.traceparent ?? `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
          method: ctx.request.method,
          headers: selectHeaders(ctx, o.include),
          path: ctx.url.pathname + ctx.url.search,
          host: ctx.request.host,
          scheme: ctx.request.scheme,
          protocol: `HTTP/${ctx.req.httpVersion}`,
          size: Number.isFinite(size) ? size : -1,
          ...(body && o.body ? grpcBodyFields(body, o.body) : {}),
        },
      },
      context_extensions: o.context,
      metadata_context: { filter_metadata: filterMetadata },
    },
  };
}
