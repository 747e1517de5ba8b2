/**
 * `remoteRateLimit` (agentgateway `RemoteRateLimit`): one Envoy RateLimitService v3 call
 * (`envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit`) per request, after the local rate
 * limit (pipeline phase 5b: the free local check refuses first, without a network round trip).
 *
 * Descriptors are built as agentgateway builds them: each entry's value is a CEL expression over
 * `request`, `jwt`, `apiKey`, `basicAuth`, `source`; a descriptor whose entry fails to evaluate or is
 * not a string is skipped, and with no descriptor left the call is skipped. `cost` (CEL, default 1)
 * becomes the descriptor's `hits_addend`. Bounds: a value longer than `MAX_VALUE` characters is cut
 * (a caller cannot make the gateway send megabytes per request), and the call has a deadline
 * (default 2 s, `timeout`).
 *
 * OVER_LIMIT → 429 `rate limit exceeded` with the service's `response_headers_to_add` and the
 * `x-ratelimit-limit/remaining/reset` headers from the most constrained descriptor status (also on
 * allowed responses, like agentgateway). Service failure → `failureMode`: `failClosed` (default,
 * 500 `rate limit failed`) or `failOpen`.
 */
import type { RemoteRateLimitConfig } from '../../config/schema/remote-rate-limit.js';
import { parseDurationMs } from '../../config/duration.js';
import type { ConfigPath } from '../../config/types.js';
import { GatewayError } from '../../errors/registry.js';
import { abortedError } from '../aborted.js';
import type { BuildContext } from '../../contracts/build-context.js';
import type { RequestContext } from '../../contracts/request-context.js';
import {
  buildBaseActivation,
  compileCelExpression,
  type CelActivation,
  type CompiledCel,
} from '../../cel/index.js';
import { grpcUnary } from '../../grpc/unary.js';
import { applyToRecord, applyToResponse, headerOp, type HeaderOp } from '../ext-authz/header-ops.js';
import type { CompiledRemoteRateLimit, TrafficTelemetry } from '../types.js';
import { NO_TRAFFIC_TELEMETRY } from '../types.js';

export const DEFAULT_RLS_TIMEOUT_MS = 2000;
/** Longest descriptor value sent (characters); longer values are cut. */
export const MAX_VALUE = 1024;

interface Descriptor {
  readonly entries: readonly { readonly key: string; readonly value: CompiledCel }[];
  readonly cost: CompiledCel | undefined;
}

interface DescriptorStatus {
  code?: string;
  current_limit?: { requests_per_unit?: number; unit?: string } | null;
  limit_remaining?: number;
  duration_until_reset?: { seconds?: number } | null;
}
interface RlsResponse {
  overall_code?: string;
  statuses?: DescriptorStatus[];
  response_headers_to_add?: { key?: string; value?: string }[];
  request_headers_to_add?: { key?: string; value?: string }[];
}

function evalDescriptor(d: Descriptor, a: CelActivation): unknown {
  const entries: { key: string; value: string }[] = [];
  for (const e of d.entries) {
    let v: unknown;
    try {
      v = e.value(a);
    } catch {
      return undefined;
    }
    if (typeof v !== 'string') return undefined;
    entries.push({ key: e.key, value: v.length > MAX_VALUE ? v.slice(0, MAX_VALUE) : v });
  }
  let hits = 1;
  if (d.cost) {
    try {
      const c = d.cost(a);
      const n = typeof c === 'bigint' ? Number(c) : typeof c === 'number' ? c : NaN;
      if (!Number.isInteger(n) || n < 0) return undefined;
      hits = n;
    } catch {
      return undefined;
    }
  }
  return { entries, hits_addend: { value: hits } };
}

/** The most constrained status (least remaining) that carries a limit → x-ratelimit-* headers. */
function statusHeaders(statuses: readonly DescriptorStatus[]): HeaderOp[] {
  let best: DescriptorStatus | undefined;
  for (const s of statuses) {
    if (!s.current_limit) continue;
    if (!best || (s.limit_remaining ?? 0) < (best.limit_remaining ?? 0)) best = s;
  }
  if (!best?.current_limit) return [];
  const reset = Math.max(0, Math.floor(best.duration_until_reset?.seconds ?? 0));
  return [
    { name: 'x-ratelimit-limit', value: String(best.current_limit.requests_per_unit ?? 0), mode: 'set' },
    { name: 'x-ratelimit-remaining', value: String(best.limit_remaining ?? 0), mode: 'set' },
    { name: 'x-ratelimit-reset', value: String(reset), mode: 'set' },
  ];
}

const ops = (list: RlsResponse['response_headers_to_add']): HeaderOp[] =>
  (list ?? []).slice(0, 64).flatMap((h) => headerOp(h, false) ?? []);

export async function compileRemoteRateLimit(
  cfg: RemoteRateLimitConfig,
  ctx: BuildContext,
  at: ConfigPath,
  telemetry: TrafficTelemetry = NO_TRAFFIC_TELEMETRY,
): Promise<CompiledRemoteRateLimit> {
  const cel = (src: string, p: ConfigPath): CompiledCel =>
    compileCelExpression(src, ctx, p, { variables: 'http', expect: 'any' });
  const descriptors: Descriptor[] = cfg.descriptors.map((d, i) => ({
    entries: d.entries.map((e, j) => ({
      key: e.key,
      value: cel(e.value, [...at, 'descriptors', i, 'entries', j, 'value']),
    })),
    cost: d.cost ? cel(d.cost, [...at, 'descriptors', i, 'cost']) : undefined,
  }));
  const timeoutMs = (cfg.timeout ? parseDurationMs(cfg.timeout) : undefined) ?? DEFAULT_RLS_TIMEOUT_MS;
  const failOpen = (cfg.failureMode ?? 'failClosed').toLowerCase() === 'failopen';
  const client = await grpcUnary<unknown, RlsResponse>('rateLimit', cfg.host, 'ShouldRateLimit');
  return {
    describe: () =>
      `remoteRateLimit: gRPC ${cfg.host} domain "${cfg.domain}", ${descriptors.length} descriptor(s), ${failOpen ? 'failOpen' : 'failClosed'}, timeout ${timeoutMs}ms`,
    close: () => client.close(),
    check: async function remoteRateLimit(rc: RequestContext) {
      const a = buildBaseActivation({ identity: rc.identity, request: rc.request, source: rc.source });
      const built = descriptors.map((d) => evalDescriptor(d, a)).filter((d) => d !== undefined);
      if (built.length === 0) {
        telemetry.remoteRateLimit('skipped');
        return undefined;
      }
      let r: RlsResponse;
      try {
        r = await client.call(
          { domain: cfg.domain, descriptors: built, hits_addend: 0 },
          timeoutMs,
          rc.signal,
        );
      } catch {
        if (rc.signal.aborted) throw abortedError(rc.signal);
        rc.log['ratelimit.remote'] = failOpen ? 'error-allow' : 'error-deny';
        telemetry.remoteRateLimit(failOpen ? 'error_allow' : 'error_deny');
        if (failOpen) return undefined;
        throw new GatewayError('RATE_LIMIT_FAILED');
      }
      const headers = [...ops(r.response_headers_to_add), ...statusHeaders(r.statuses ?? [])];
      applyToResponse(rc.res, headers);
      if (r.overall_code === 'OVER_LIMIT') {
        rc.log['ratelimit.remote'] = 'over-limit';
        telemetry.remoteRateLimit('over_limit');
        const reset = headers.find((h) => h.name === 'x-ratelimit-reset');
        if (reset && !rc.res.hasHeader('retry-after'))
          rc.res.setHeader('retry-after', String(Math.max(1, Number(reset.value))));
        throw new GatewayError('RATE_LIMITED');
      }
      rc.log['ratelimit.remote'] = 'ok';
      telemetry.remoteRateLimit('ok');
      const requestOps = ops(r.request_headers_to_add);
      return requestOps.length ? { applyTo: (h) => applyToRecord(h, requestOps) } : undefined;
    },
  };
}
