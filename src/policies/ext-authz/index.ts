/**
 * `extAuthz` (agentgateway `ExtAuthz`): ask an external authorization service — Envoy ext_authz v3 over
 * gRPC (default), or plain HTTP — before the request goes further. Runs after authentication (the
 * service sees the verified identity) and before HTTP authorization and rate limits (pipeline phase 3b).
 *
 * - Allowed: the answer's headers are applied to the upstream request (`headers`, `headers_to_remove`),
 *   `response_headers_to_add` to the client's response.
 * - Denied by the service: its status (default 403), headers and body go to the client unchanged; on an
 *   MCP route the body is a JSON-RPC error instead (./answer.ts).
 * - `includeRequestBody`: the pipeline reads the body first (ctx.body); ./body.ts bounds what is sent.
 * - `cache`: decisions (./outcome.ts values) reused per CEL key for `ttl` (./cache.ts).
 * - The service cannot be reached, times out (default 2 s, `timeout`) or answers garbage: `failureMode`
 *   decides — `deny` (default, 403 `external authorization failed`), `{denyWithStatus: N}`, or `allow`.
 * The decision is the access-log field `extauthz.decision` and the metric
 * `portcullis_extauthz_checks_total{result}`.
 */
import { Agent } from 'undici';
import type { ExtAuthzConfig } from '../../config/schema/ext-authz.js';
import { parseDurationMs } from '../../config/duration.js';
import type { ConfigPath } from '../../config/types.js';
import { GatewayError } from '../../errors/registry.js';
import { abortedError } from '../aborted.js';
import type { BuildContext } from '../../contracts/build-context.js';
import type { RequestContext } from '../../contracts/request-context.js';
import { buildBaseActivation, compileCelExpression } from '../../cel/index.js';
import { grpcUnary } from '../../grpc/unary.js';
import type { CompiledExtAuthz, UpstreamGrant, TrafficTelemetry } from '../types.js';
import { NO_TRAFFIC_TELEMETRY } from '../types.js';
import { buildCheckRequest, type CheckResponse, type GrpcCheckOptions } from './grpc.js';
import { headerOps, type HeaderOp } from './header-ops.js';
import { bodyOptions, checkBody, type CheckBody } from './body.js';
import { DecisionCache, DEFAULT_CACHE_ENTRIES } from './cache.js';
import { applyOutcome, NOOP_GRANT, type Outcome } from './outcome.js';
import { evalRedirect, httpCheck, type HttpCheckOptions } from './http-check.js';

export const DEFAULT_EXTAUTHZ_TIMEOUT_MS = 2000;

const validStatus = (s: number | undefined): s is number => s !== undefined && s >= 200 && s <= 599;

/** One call to the service: its decision, or a throw when it could not decide (failureMode applies). */
type Ask = (rc: RequestContext, body: CheckBody | undefined) => Promise<Outcome>;

class ServiceFailure extends Error {}

export async function compileExtAuthz(
  cfg: ExtAuthzConfig,
  ctx: BuildContext,
  at: ConfigPath,
  telemetry: TrafficTelemetry = NO_TRAFFIC_TELEMETRY,
): Promise<CompiledExtAuthz> {
  const body = bodyOptions(cfg.includeRequestBody);
  // A `backend:` reference was resolved to its host at load (src/config/normalize-service-ref.ts).
  const host = cfg.host;
  if (host === undefined) throw ctx.error([...at, 'backend'], 'backend reference not resolved');
  const timeoutMs = (cfg.timeout ? parseDurationMs(cfg.timeout) : undefined) ?? DEFAULT_EXTAUTHZ_TIMEOUT_MS;
  const fm = cfg.failureMode ?? 'deny';
  const failAllow = fm === 'allow';
  const failStatus = typeof fm === 'object' ? fm.denyWithStatus : undefined;
  const include = cfg.includeRequestHeaders?.map((h) => h.toLowerCase());
  const cache = compileCache(cfg.cache, ctx, [...at, 'cache']);
  const notes =
    `failureMode ${typeof fm === 'string' ? fm : `denyWithStatus ${fm.denyWithStatus}`}, timeout ${timeoutMs}ms` +
    (body
      ? `, request body up to ${body.maxBytes} bytes${body.allowPartial ? ' (partial beyond)' : ''}`
      : '') +
    (cache ? `, decisions cached ${cache.ttlMs}ms (${cache.maxEntries} keys)` : '');

  const onFailure = (rc: RequestContext, why: string): UpstreamGrant => {
    rc.log['extauthz.decision'] = failAllow ? 'error-allow' : 'error-deny';
    telemetry.extAuthz(failAllow ? 'error_allow' : 'error_deny');
    if (failAllow) return NOOP_GRANT;
    rc.log.error = `extAuthz: ${why}`;
    throw new GatewayError('EXTAUTHZ_DENIED', undefined, failStatus ? { status: failStatus } : {});
  };

  /** The phase: the body bound, the cache, the call, failureMode, then the decision applied. */
  const authorizeWith = (ask: Ask, cacheable: (o: Outcome) => boolean) =>
    async function extAuthz(rc: RequestContext, jsonRpc: boolean): Promise<UpstreamGrant | undefined> {
      const sent = body ? checkBody(rc, body) : undefined;
      const key = cache?.store.key(
        buildBaseActivation({ identity: rc.identity, request: rc.request, source: rc.source }),
      );
      const hit = key !== undefined ? cache!.store.lookup(key) : undefined;
      if (hit?.value) return applyOutcome(rc, hit.value, jsonRpc, telemetry, true);
      let o: Outcome;
      try {
        o = await ask(rc, sent);
      } catch (e) {
        if (key !== undefined) cache!.store.release(key);
        if (rc.signal.aborted) throw abortedError(rc.signal);
        return onFailure(rc, e instanceof ServiceFailure ? e.message : 'service unavailable');
      }
      if (key !== undefined) {
        if (cacheable(o)) cache!.store.store(key, o);
        else cache!.store.release(key);
      }
      return applyOutcome(rc, o, jsonRpc, telemetry, false);
    };

  const protocol = cfg.protocol ?? { grpc: {} };
  if ('http' in protocol) {
    const h = protocol.http;
    const pat = [...at, 'protocol', 'http'];
    const cel = (src: string, p: ConfigPath) =>
      compileCelExpression(src, ctx, p, { variables: 'http', expect: 'any' });
    const opts: HttpCheckOptions = {
      origin: `http://${host}`,
      include: include ?? ['authorization'],
      path: h.path ? cel(h.path, [...pat, 'path']) : undefined,
      addHeaders: Object.entries(h.addRequestHeaders ?? {}).map(
        ([k, v]) => [k.toLowerCase(), cel(v, [...pat, 'addRequestHeaders', k])] as const,
      ),
    };
    const redirect = h.redirect ? cel(h.redirect, [...pat, 'redirect']) : undefined;
    const copy = (h.includeResponseHeaders ?? []).map((n) => n.toLowerCase());
    const agent = new Agent({ connect: { timeout: timeoutMs }, keepAliveTimeout: 30_000 });
    const ask: Ask = async (rc, sent) => {
      let a;
      try {
        a = await httpCheck(rc, opts, agent, timeoutMs, sent);
      } catch (e) {
        throw new ServiceFailure(
          e instanceof Error && e.name === 'TimeoutError' ? 'timeout' : 'service unavailable',
        );
      }
      if (a.status >= 200 && a.status < 300) {
        const set: HeaderOp[] = [];
        for (const name of copy) {
          const v = a.headers[name];
          if (v !== undefined) set.push({ name, value: Array.isArray(v) ? v.join(', ') : v, mode: 'set' });
        }
        return { kind: 'allow', set, remove: [], response: [] };
      }
      const location =
        (a.status === 401 || a.status === 403) && redirect ? evalRedirect(rc, redirect) : undefined;
      if (location) {
        return {
          kind: 'deny',
          status: 302,
          headers: [{ name: 'location', value: location, mode: 'set' }],
          body: Buffer.alloc(0),
        };
      }
      const ops: HeaderOp[] = [];
      for (const [name, v] of Object.entries(a.headers)) {
        if (
          v === undefined ||
          name === 'content-length' ||
          name === 'transfer-encoding' ||
          name === 'connection' ||
          name === 'keep-alive'
        )
          continue;
        ops.push({ name, value: Array.isArray(v) ? v.join(', ') : v, mode: 'set' });
      }
      return { kind: 'deny', status: validStatus(a.status) ? a.status : 403, headers: ops, body: a.body };
    };
    return {
      readsBody: body !== undefined,
      describe: () => `extAuthz: HTTP ${host}, ${notes}`,
      close: () => void agent.close().catch(() => {}),
      // agentgateway caches HTTP allows and 401/403 answers (redirects included), not other statuses.
      authorize: authorizeWith(
        ask,
        (o) => o.kind === 'allow' || o.status === 401 || o.status === 403 || o.status === 302,
      ),
    };
  }

  const g = protocol.grpc;
  const opts: GrpcCheckOptions = {
    include,
    context: g.context ?? {},
    metadata: g.metadata
      ? Object.entries(g.metadata).map(
          ([k, v]) =>
            [
              k,
              compileCelExpression(v, ctx, [...at, 'protocol', 'grpc', 'metadata', k], {
                variables: 'http',
                expect: 'any',
              }),
            ] as const,
        )
      : undefined,
    body,
  };
  const client = await grpcUnary<unknown, CheckResponse>('authorization', host, 'Check');
  const ask: Ask = async (rc, sent) => {
    let r: CheckResponse;
    try {
      r = await client.call(buildCheckRequest(rc, opts, sent), timeoutMs, rc.signal);
    } catch (e) {
      throw new ServiceFailure(
        (e as { grpcCode?: number }).grpcCode === 4 ? 'timeout' : 'service unavailable',
      );
    }
    if ((r.status?.code ?? 0) !== 0) {
      const d = r.http_response === 'denied_response' ? r.denied_response : undefined;
      const status = d?.status?.code;
      return {
        kind: 'deny',
        status: validStatus(status) ? status : 403,
        headers: headerOps(d?.headers, false),
        body: Buffer.from(d?.body || (d ? '' : 'external authorization failed\n'), 'utf8'),
      };
    }
    const ok = r.http_response === 'ok_response' ? r.ok_response : undefined;
    return {
      kind: 'allow',
      set: headerOps(ok?.headers, false),
      remove: (ok?.headers_to_remove ?? []).slice(0, 64),
      response: headerOps(ok?.response_headers_to_add, false),
    };
  };
  return {
    readsBody: body !== undefined,
    describe: () => `extAuthz: gRPC ${host} (envoy.service.auth.v3.Authorization/Check), ${notes}`,
    close: () => client.close(),
    authorize: authorizeWith(ask, () => true),
  };
}

function compileCache(
  cfg: ExtAuthzConfig['cache'],
  ctx: BuildContext,
  at: ConfigPath,
): { store: DecisionCache<Outcome>; ttlMs: number; maxEntries: number } | undefined {
  if (!cfg) return undefined;
  const ttlMs = parseDurationMs(cfg.ttl);
  // A CEL ttl is refused by the schema (src/config/schema/ext-authz.ts).
  if (ttlMs === undefined || ttlMs <= 0) throw ctx.error([...at, 'ttl'], 'must be a duration greater than 0');
  const keys = cfg.key.map((src, i) =>
    compileCelExpression(src, ctx, [...at, 'key', i], { variables: 'http', expect: 'any' }),
  );
  if (keys.length === 0) ctx.warn([...at, 'key'], 'no key expressions: nothing is cached');
  const maxEntries = cfg.maxEntries || DEFAULT_CACHE_ENTRIES;
  return { store: new DecisionCache<Outcome>(keys, ttlMs, maxEntries), ttlMs, maxEntries };
}
