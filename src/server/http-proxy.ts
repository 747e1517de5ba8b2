/**
 * Plain HTTP reverse proxy for `host:` backends (non-MCP routes). Streams both bodies; pools
 * connections per origin with undici, one Agent per backendTLS setting. With backendTLS, a `host`
 * without a scheme is reached over https (TLS origination, as agentgateway does).
 */
import { Agent, request, type Dispatcher } from 'undici';
import { GatewayError } from '../errors/registry.js';
import { isHopByHop } from '../policies/headers/names.js';
import type { CompiledBackendAuth, CompiledBackendTls } from '../policies/types.js';
import type { RequestContext } from './context.js';

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

export function createHttpProxy(opts: { connectTimeoutMs: number }): HttpProxy {
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
      for await (const chunk of upstream.body) ctx.res.write(chunk);
      ctx.res.end();
    },
    dispatcher: agentFor,
    close: async () => {
      await Promise.all([...agents.values()].map((a) => a.close()));
    },
  };
}
