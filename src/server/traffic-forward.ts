/**
 * The `host` backend call when a route has retry, requestMirror or body transformations, or a policy
 * phase already read the body (ctx.body, extAuthz includeRequestBody): the request body is buffered (at most `limits.bufferedBodyBytes`, else 413), transformed, mirrored, then sent —
 * again on a retryable failure — and the answer is streamed back, or buffered and transformed when
 * `transformations.response.body` is set. Without those policies, src/server/http-proxy.ts streams.
 */
import { pause } from '../net/pause.js';
import type { Dispatcher } from 'undici';
import { request } from 'undici';
import { GatewayError, isGatewayError } from '../errors/registry.js';
import { isHopByHop } from '../policies/headers/names.js';
import type { CompiledBackendAuth, CompiledRoutePolicies, TrafficTelemetry } from '../policies/types.js';
import type { RequestContext } from '../contracts/request-context.js';
import { readBody } from '../net/read-body.js';

export interface TrafficForwardDeps {
  readonly dispatcher: Dispatcher;
  readonly origin: string;
  readonly auth: CompiledBackendAuth | undefined;
  readonly bodyLimit: number;
  readonly telemetry: TrafficTelemetry;
}

async function readAnswer(body: AsyncIterable<Buffer>, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    size += c.length;
    if (size > limit) throw new GatewayError('UPSTREAM_FAILED', 'upstream response too large to transform');
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

export async function forwardWithTraffic(
  ctx: RequestContext,
  p: CompiledRoutePolicies,
  d: TrafficForwardDeps,
): Promise<void> {
  const method = ctx.request.method;
  let body: Buffer | undefined;
  if (method !== 'GET' && method !== 'HEAD') {
    body =
      ctx.body ??
      (await readBody(ctx.req, d.bodyLimit, () => new GatewayError('PAYLOAD_TOO_LARGE')).catch(
        (e: unknown) => {
          throw isGatewayError(e) ? e : new GatewayError('INVALID_REQUEST', 'request body aborted');
        },
      ));
    if (p.transformations?.requestBody) body = p.transformations.requestBody(ctx, body);
  }
  p.requestMirror?.mirror(ctx, body);
  const attempts = p.retry?.attemptsFor(ctx, body) ?? 1;
  const headers: Record<string, string> = { ...ctx.upstreamHeaders, ...d.auth?.headersFor(ctx.identity) };
  if (body && p.transformations?.requestBody) delete headers['content-encoding'];
  const url = new URL(ctx.url.pathname + ctx.url.search, d.origin);
  for (let attempt = 1; ; attempt++) {
    ctx.log['retry.attempt'] = attempt;
    let upstream: Dispatcher.ResponseData;
    try {
      upstream = await request(url, {
        method: method as 'GET',
        headers,
        body: body ?? null,
        dispatcher: d.dispatcher,
        signal: ctx.signal,
        ...(ctx.backendRequestTimeoutMs ? { headersTimeout: ctx.backendRequestTimeoutMs } : {}),
      });
    } catch (e) {
      if (attempt < attempts && !ctx.signal.aborted) {
        d.telemetry.retry();
        await pause(p.retry?.backoffMs ?? 0, ctx.signal);
        continue;
      }
      throw new GatewayError('UPSTREAM_FAILED', `upstream call failed: ${(e as Error).message}`, {
        status: 503,
        cause: e,
      });
    }
    if (attempt < attempts && p.retry?.retryableStatus(upstream.statusCode) && !ctx.signal.aborted) {
      await upstream.body.dump({ limit: 64 * 1024 }).catch(() => {});
      d.telemetry.retry();
      await pause(p.retry.backoffMs, ctx.signal);
      continue;
    }
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(upstream.headers)) {
      if (v !== undefined && !isHopByHop(k)) out[k] = v;
    }
    const transform = p.transformations?.responseBody;
    if (transform) {
      const raw = await readAnswer(upstream.body as AsyncIterable<Buffer>, d.bodyLimit);
      const ct = out['content-type'];
      const next = transform(ctx, upstream.statusCode, raw, Array.isArray(ct) ? ct[0] : ct);
      delete out['content-encoding'];
      delete out['transfer-encoding'];
      out['content-length'] = String(next.length);
      ctx.res.writeHead(upstream.statusCode, out);
      ctx.res.end(method === 'HEAD' ? undefined : next);
      return;
    }
    ctx.res.writeHead(upstream.statusCode, out);
    for await (const chunk of upstream.body) ctx.res.write(chunk);
    ctx.res.end();
    return;
  }
}
