/**
 * Plain HTTP reverse proxy for `host:` backends (non-MCP routes). Streams both bodies (the response
 * with backpressure, ./stream-pump.ts); pools
 * connections per origin with undici, one Agent per backendTLS setting. With backendTLS, a `host`
 * without a scheme is reached over https (TLS origination, as agentgateway does).
 */
import { Agent, request, type Dispatcher } from 'undici';
import { GatewayError } from '../errors/registry.js';
import { isHopByHop } from '../policies/headers/names.js';
import type { CompiledBackendAuth, CompiledBackendTls } from '../policies/types.js';
import type { RequestContext } from '../contracts/request-context.js';
import { pumpBody } from './stream-pump.js';

export interface HttpProxy {
  forward(
    ctx: RequestContext,
    host: string,
    auth: CompiledBackendAuth | undefined,
    tls?: CompiledBackendTls,
  ): Promise<void>;
  /** The pooled dispatcher for a backendTLS setting (src/server/traffic-forward.ts sends through it). */
  dispatcher(tls: CompiledBackendTls | undefined): Dispatcher;
  close(): Promise<void>;
}

/** `host:port` (or a URL) → the origin requests go to; https when backendTLS is set. */
export function backendOrigin(host: string, tls: CompiledBackendTls | undefined): string {
  return /^https?:\/\//.test(host) ? host : `${tls ? 'https' : 'http'}://${host}`;
}

export interface HttpProxyOptions {
  readonly connectTimeoutMs: number;
  /** `limits.streamBufferBytes`: bytes queued towards one client before it is cut off (read per response). */
  readonly streamBufferBytes?: () => number;
  /** A slow client was cut off (the `portcullis_slow_clients_disconnected_total{stream="proxy"}` metric). */
  readonly onSlowClient?: () => void;
}

/** Default for `streamBufferBytes` when the caller passes none (see src/config/normalize-limits.ts). */
const DEFAULT_STREAM_BUFFER_BYTES = 8 * 1024 * 1024;

export function createHttpProxy(opts: HttpProxyOptions): HttpProxy {
  const agents = new Map<string, Agent>();
  const agentFor = (tls: CompiledBackendTls | undefined): Agent => {
    const key = tls?.key ?? '';
    let agent = agents.get(key);
    if (!agent) {
      agent = new Agent({
        connect: { ...tls?.connect, timeout: opts.connectTimeoutMs },
        keepAliveTimeout: 30_000,
      });
      agents.set(key, agent);
    }
    return agent;
  };
  return {
    async forward(ctx, host, auth, tls) {
      const origin = backendOrigin(host, tls);
      const headers: Record<string, string> = { ...ctx.upstreamHeaders, ...auth?.headersFor(ctx.identity) };
      const hasBody = ctx.request.method !== 'GET' && ctx.request.method !== 'HEAD';
      let upstream;
      try {
        upstream = await request(new URL(ctx.url.pathname + ctx.url.search, origin), {
          method: ctx.request.method as 'GET',
          headers,
          body: hasBody ? ctx.req : null,
          dispatcher: agentFor(tls),
          signal: ctx.signal,
          ...(ctx.backendRequestTimeoutMs ? { headersTimeout: ctx.backendRequestTimeoutMs } : {}),
        });
      } catch (e) {
        throw new GatewayError('UPSTREAM_FAILED', `upstream call failed: ${(e as Error).message}`, {
          status: 503,
          cause: e,
        });
      }
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(upstream.headers)) {
        if (v !== undefined && !isHopByHop(k)) out[k] = v;
      }
      ctx.res.writeHead(upstream.statusCode, out);
      // Backpressure: the upstream body is read only as fast as the client takes it.
      const max = opts.streamBufferBytes?.() ?? DEFAULT_STREAM_BUFFER_BYTES;
      await pumpBody(upstream.body, ctx.res, max, () => opts.onSlowClient?.());
    },
    dispatcher: agentFor,
    close: async () => {
      await Promise.all([...agents.values()].map((a) => a.close()));
    },
  };
}
