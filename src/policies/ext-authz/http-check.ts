/**
 * extAuthz HTTP mode (agentgateway `protocol: {http: …}`): the check is an HTTP request to the service
 * with the original method and path (or `path` from CEL), carrying only `Authorization` unless
 * `includeRequestHeaders` names others, plus `addRequestHeaders` (CEL). A 2xx allows, and the
 * `includeResponseHeaders` of the answer are copied onto the upstream request. A 401/403 with `redirect`
 * configured becomes a 302 to the computed URL; any other answer is returned to the client as is.
 * With `includeRequestBody`, the (possibly partial) body is the check's body, marked by
 * `x-envoy-auth-partial-body: true|false`.
 */
import { Agent, request } from 'undici';
import type { RequestContext } from '../../contracts/request-context.js';
import { buildBaseActivation, type CompiledCel } from '../../cel/index.js';
import { pseudoHeaders } from './grpc.js';
import type { CheckBody } from './body.js';

/** Largest answer body read from the service (it is returned to the client on denial). */
export const MAX_HTTP_ANSWER = 64 * 1024;

export interface HttpCheckOptions {
  readonly origin: string;
  readonly include: readonly string[];
  readonly path: CompiledCel | undefined;
  readonly addHeaders: readonly (readonly [string, CompiledCel])[];
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

export class HttpCheckError extends Error {}

export async function httpCheck(
  ctx: RequestContext,
  o: HttpCheckOptions,
  agent: Agent,
  timeoutMs: number,
  body?: CheckBody,
): Promise<HttpAnswer> {
  const activation = buildBaseActivation({
    identity: ctx.identity,
    request: ctx.request,
    source: ctx.source,
  });
  let path = ctx.url.pathname + ctx.url.search;
  if (o.path) {
    const v = o.path(activation);
    if (typeof v !== 'string' || !v.startsWith('/'))
      throw new HttpCheckError('path expression is not a path');
    path = v;
  }
  const pseudo = pseudoHeaders(ctx);
  const headers: Record<string, string> = {};
  for (const name of o.include) {
    const v = name.startsWith(':') ? undefined : ctx.request.headers[name];
    if (v !== undefined) headers[name] = v;
    else if (name.startsWith(':') && pseudo[name] !== undefined)
      headers[`x-forwarded-${name.slice(1)}`] = pseudo[name]!;
  }
  for (const [name, expr] of o.addHeaders) {
    try {
      const v = expr(activation);
      if (typeof v === 'string') headers[name] = v;
    } catch {
      // left out, like agentgateway
    }
  }
  // Envoy's marker of a body sent with the check (agentgateway sends it too).
  if (body) headers['x-envoy-auth-partial-body'] = body.partial ? 'true' : 'false';
  const method = ctx.request.method;
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]);
  const res = await request(new URL(path, o.origin), {
    method: method as 'GET',
    headers,
    body: body && method !== 'GET' && method !== 'HEAD' ? body.bytes : null,
    dispatcher: agent,
    signal,
  });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_HTTP_ANSWER) {
      res.body.destroy();
      throw new HttpCheckError('authorization answer too large');
    }
    chunks.push(chunk);
  }
  return { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) };
}

export function evalRedirect(ctx: RequestContext, expr: CompiledCel): string | undefined {
  try {
    const v = expr(buildBaseActivation({ identity: ctx.identity, request: ctx.request, source: ctx.source }));
    return typeof v === 'string' && v !== '' ? v : undefined;
  } catch {
    return undefined;
  }
}
