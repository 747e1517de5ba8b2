/**
 * Plain HTTP reverse proxy for `host:` backends (non-MCP routes). Streams both bodies; pools
 * connections per origin with undici.
 */
import { Agent, request } from 'undici';
import { GatewayError } from '../errors/registry.js';
import { isHopByHop } from '../policies/headers/names.js';
import type { CompiledBackendAuth } from '../policies/types.js';
import type { RequestContext } from './context.js';

export interface HttpProxy {
  forward(ctx: RequestContext, host: string, auth: CompiledBackendAuth | undefined): Promise<void>;
  close(): Promise<void>;
}

export function createHttpProxy(opts: { connectTimeoutMs: number }): HttpProxy {
  const agent = new Agent({ connect: { timeout: opts.connectTimeoutMs }, keepAliveTimeout: 30_000 });
  return {
    async forward(ctx, host, auth) {
      const origin = /^https?:\/\//.test(host) ? host : `http://${host}`;
      const headers: Record<string, string> = { ...ctx.upstreamHeaders, ...auth?.headersFor(ctx.identity) };
      const hasBody = ctx.request.method !== 'GET' && ctx.request.method !== 'HEAD';
      let upstream;
      try {
        upstream = await request(new URL(ctx.url.pathname + ctx.url.search, origin), {
          method: ctx.request.method as 'GET',
          headers,
          body: hasBody ? ctx.req : null,
          dispatcher: agent,
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
    close: () => agent.close(),
  };
}
