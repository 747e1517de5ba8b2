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
import { compileCelExpression } from '../../cel/index.js';
import { grpcUnary } from '../../grpc/unary.js';
import type { CompiledExtAuthz, UpstreamGrant, TrafficTelemetry } from '../types.js';
import { NO_TRAFFIC_TELEMETRY } from '../types.js';
import { buildCheckRequest, type CheckResponse, type GrpcCheckOptions } from './grpc.js';
import { applyToRecord, applyToResponse, headerOps, type HeaderOp } from './header-ops.js';
import { answer } from './answer.js';
import { bodyOptions, checkBody } from './body.js';
import { evalRedirect, httpCheck, type HttpCheckOptions } from './http-check.js';

export const DEFAULT_EXTAUTHZ_TIMEOUT_MS = 2000;

const NOOP_GRANT: UpstreamGrant = { applyTo: () => {} };

function grant(set: readonly HeaderOp[], remove: readonly string[]): UpstreamGrant {
  if (!set.length && !remove.length) return NOOP_GRANT;
  return {
    applyTo(headers) {
      applyToRecord(headers, set);
      for (const name of remove) {
        const n = name.toLowerCase();
        // Envoy never lets the service remove Host or pseudo-headers.
        if (n !== 'host' && !n.startsWith(':')) delete headers[n];
      }
    },
  };
}

const validStatus = (s: number | undefined): s is number => s !== undefined && s >= 200 && s <= 599;

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
  const mode = `failureMode ${typeof fm === 'string' ? fm : `denyWithStatus ${fm.denyWithStatus}`}`;
  const bodyNote = body
    ? `, request body up to ${body.maxBytes} bytes${body.allowPartial ? ' (partial beyond)' : ''}`
    : '';

  const onFailure = (rc: RequestContext, why: string): UpstreamGrant => {
    rc.log['extauthz.decision'] = failAllow ? 'error-allow' : 'error-deny';
    telemetry.extAuthz(failAllow ? 'error_allow' : 'error_deny');
    if (failAllow) return NOOP_GRANT;
    rc.log.error = `extAuthz: ${why}`;
    throw new GatewayError('EXTAUTHZ_DENIED', undefined, failStatus ? { status: failStatus } : {});
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
    return {
      readsBody: body !== undefined,
      describe: () => `extAuthz: HTTP ${host}, ${mode}, timeout ${timeoutMs}ms${bodyNote}`,
      close: () => void agent.close().catch(() => {}),
      authorize: async function extAuthzHttp(rc, jsonRpc) {
        const sent = body ? checkBody(rc, body) : undefined;
        let a;
        try {
          a = await httpCheck(rc, opts, agent, timeoutMs, sent);
        } catch (e) {
          if (rc.signal.aborted) throw abortedError(rc.signal);
          return onFailure(
            rc,
            e instanceof Error && e.name === 'TimeoutError' ? 'timeout' : 'service unavailable',
          );
        }
        if (a.status >= 200 && a.status < 300) {
          rc.log['extauthz.decision'] = 'allow';
          telemetry.extAuthz('allow');
          const set: HeaderOp[] = [];
          for (const name of copy) {
            const v = a.headers[name];
            if (v !== undefined) set.push({ name, value: Array.isArray(v) ? v.join(', ') : v, mode: 'set' });
          }
          return grant(set, []);
        }
        rc.log['extauthz.decision'] = 'deny';
        telemetry.extAuthz('deny');
        const location =
          (a.status === 401 || a.status === 403) && redirect ? evalRedirect(rc, redirect) : undefined;
        if (location) {
          answer(rc, 302, [{ name: 'location', value: location, mode: 'set' }], Buffer.alloc(0), jsonRpc);
          return undefined;
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
        answer(rc, validStatus(a.status) ? a.status : 403, ops, a.body, jsonRpc);
        return undefined;
      },
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
  return {
    readsBody: body !== undefined,
    describe: () =>
      `extAuthz: gRPC ${host} (envoy.service.auth.v3.Authorization/Check), ${mode}, timeout ${timeoutMs}ms${bodyNote}`,
    close: () => client.close(),
    authorize: async function extAuthzGrpc(rc, jsonRpc) {
      const sent = body ? checkBody(rc, body) : undefined;
      let r: CheckResponse;
      try {
        r = await client.call(buildCheckRequest(rc, opts, sent), timeoutMs, rc.signal);
      } catch (e) {
        if (rc.signal.aborted) throw abortedError(rc.signal);
        return onFailure(rc, (e as { grpcCode?: number }).grpcCode === 4 ? 'timeout' : 'service unavailable');
      }
      const code = r.status?.code ?? 0;
      if (code !== 0) {
        rc.log['extauthz.decision'] = 'deny';
        telemetry.extAuthz('deny');
        const d = r.http_response === 'denied_response' ? r.denied_response : undefined;
        const status = d?.status?.code;
        answer(
          rc,
          validStatus(status) ? status : 403,
          headerOps(d?.headers, false),
          Buffer.from(d?.body || (d ? '' : 'external authorization failed\n'), 'utf8'),
          jsonRpc,
        );
        return undefined;
      }
      rc.log['extauthz.decision'] = 'allow';
      telemetry.extAuthz('allow');
      const ok = r.http_response === 'ok_response' ? r.ok_response : undefined;
      if (!ok) return NOOP_GRANT;
      const responseOps = headerOps(ok.response_headers_to_add, false);
      if (responseOps.length) applyToResponse(rc.res, responseOps);
      return grant(headerOps(ok.headers, false), (ok.headers_to_remove ?? []).slice(0, 64));
    },
  };
}
