/**
 * Compiles the external and traffic policies of one route (apiKey, basicAuth, extAuthz,
 * remoteRateLimit, requestRedirect, urlRewrite, transformations, retry, requestMirror). Called by
 * build.ts's compilePolicies; errors are collected like the others, and the policies that hold
 * connections (gRPC channels, HTTP pools) register a closer that runs when the snapshot is retired.
 */
import type { RoutePoliciesConfig } from '../config/schema/index.js';
import type { ConfigPath, NormalizedLimits, NormalizedRoute } from '../config/types.js';
import { compileApiKey } from '../policies/api-key/index.js';
import { compileBasicAuth } from '../policies/basic-auth/index.js';
import { compileExtAuthz } from '../policies/ext-authz/index.js';
import type { MirrorBudget } from '../policies/mirror/budget.js';
import { compileMirror } from '../policies/mirror/index.js';
import { compileRedirect } from '../policies/redirect/index.js';
import { compileRemoteRateLimit } from '../policies/remote-rate-limit/index.js';
import { compileRetry } from '../policies/retry/index.js';
import { compileTransformations } from '../policies/transformations/index.js';
import type { CompiledRoutePolicies, TrafficTelemetry } from '../policies/types.js';
import { NO_TRAFFIC_TELEMETRY } from '../policies/types.js';
import { compileUrlRewrite } from '../policies/url-rewrite/index.js';
import type { BuildContext } from '../contracts/build-context.js';

export interface TrafficCollector {
  run<T>(fn: () => T | Promise<T>): Promise<T | undefined>;
  readonly closers: (() => void)[];
}

export interface TrafficBuildDeps {
  readonly traffic?: TrafficTelemetry;
  readonly limits?: NormalizedLimits;
  readonly mirrorBudget?: MirrorBudget;
}

type Mutable = { -readonly [K in keyof CompiledRoutePolicies]: CompiledRoutePolicies[K] };

export async function compileTrafficPolicies(
  p: Readonly<RoutePoliciesConfig>,
  route: NormalizedRoute,
  ctx: BuildContext,
  c: TrafficCollector,
  deps: TrafficBuildDeps,
): Promise<Partial<CompiledRoutePolicies>> {
  const pat = (name: string): ConfigPath => [...route.at, 'policies', name];
  const telemetry = deps.traffic ?? NO_TRAFFIC_TELEMETRY;
  const out: Mutable = {};
  const closing = <T extends { close(): void }>(v: T | undefined): T | undefined => {
    if (v) c.closers.push(() => v.close());
    return v;
  };
  if (p.apiKey) out.apiKey = await c.run(() => compileApiKey(p.apiKey!, ctx, pat('apiKey')));
  if (p.basicAuth) out.basicAuth = await c.run(() => compileBasicAuth(p.basicAuth!, ctx, pat('basicAuth')));
  if (p.extAuthz)
    out.extAuthz = closing(await c.run(() => compileExtAuthz(p.extAuthz!, ctx, pat('extAuthz'), telemetry)));
  if (p.remoteRateLimit)
    out.remoteRateLimit = closing(
      await c.run(() => compileRemoteRateLimit(p.remoteRateLimit!, ctx, pat('remoteRateLimit'), telemetry)),
    );
  if (p.requestRedirect)
    out.requestRedirect = await c.run(() =>
      compileRedirect(p.requestRedirect!, ctx, pat('requestRedirect'), route.matches),
    );
  if (p.urlRewrite)
    out.urlRewrite = await c.run(() =>
      compileUrlRewrite(p.urlRewrite!, ctx, pat('urlRewrite'), route.matches),
    );
  if (p.transformations)
    out.transformations = await c.run(() =>
      compileTransformations(p.transformations!, ctx, pat('transformations'), telemetry),
    );
  if (p.retry) out.retry = await c.run(() => compileRetry(p.retry!, ctx, pat('retry')));
  if (p.requestMirror) {
    const limits = deps.limits;
    const budget = deps.mirrorBudget;
    if (limits && budget)
      out.requestMirror = closing(
        await c.run(() =>
          compileMirror(p.requestMirror!, ctx, pat('requestMirror'), {
            budget,
            timeoutMs: limits.mirrorTimeoutMs,
            telemetry,
          }),
        ),
      );
  }
  if (Object.keys(out).length) {
    out.traffic = telemetry;
    if (deps.limits) out.bufferedBodyBytes = deps.limits.bufferedBodyBytes;
  }
  return out;
}
