/**
 * `config.tracing` and `frontendPolicies.tracing` → NormalizedTracing, with agentgateway's defaults:
 * OTLP over gRPC unless `http` is asked for, no random sampling, client sampling on. Both forms say
 * the same things with different names; agentgateway refuses a config that has both.
 */
import type { RootConfig } from './schema/index.js';
import type { ConfigPath, NormalizedSampling, NormalizedTracing } from './types.js';

type Report = (at: ConfigPath, message: string) => void;

export interface TracingInput {
  /** `otlpEndpoint` (`http://collector:4317`, `https://…`, or a bare `host:port`). */
  readonly endpoint: string;
  readonly protocol: 'grpc' | 'http' | undefined;
  readonly path: string | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly randomSampling: boolean | number | string | undefined;
  readonly clientSampling: boolean | number | string | undefined;
  readonly fieldsAdd?: Readonly<Record<string, string>> | undefined;
  readonly fieldsRemove?: readonly string[] | undefined;
  readonly resources?: Readonly<Record<string, string>> | undefined;
  readonly filter?: string | undefined;
  /** Where the endpoint was written (`otlpEndpoint` or `host`). */
  readonly endpointKey?: string;
}

export const DEFAULT_TRACES_PATH = '/v1/traces';

export function normalizeTracing(
  t: TracingInput,
  at: ConfigPath,
  report: Report,
  warn: Report = () => {},
): NormalizedTracing {
  const protocol = t.protocol ?? 'grpc';
  if (protocol === 'grpc' && t.path !== undefined)
    warn([...at, 'path'], 'ignored: `path` applies to OTLP over HTTP only (add `otlpProtocol: http`)');
  return {
    otlpEndpoint: collectorUrl(
      t.endpoint,
      protocol,
      t.path,
      [...at, t.endpointKey ?? 'otlpEndpoint'],
      report,
      warn,
    ),
    protocol,
    headers: t.headers ?? {},
    randomSampling: sampling(t.randomSampling, 0, [...at, 'randomSampling']),
    clientSampling: sampling(t.clientSampling, 1, [...at, 'clientSampling']),
    fieldsAdd: t.fieldsAdd ?? {},
    fieldsRemove: t.fieldsRemove ?? [],
    resources: t.resources ?? {},
    filter: t.filter,
    at,
  };
}

/**
 * gRPC: `scheme://host:port` (a bare `host:port` is plaintext `http://`). HTTP: the same plus the
 * traces path — the endpoint's own path when it has one, else `path`, else `/v1/traces`.
 */
function collectorUrl(
  endpoint: string,
  protocol: 'grpc' | 'http',
  path: string | undefined,
  at: ConfigPath,
  report: Report,
  warn: Report,
): string {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `http://${endpoint}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    report(
      at,
      `expected a collector URL such as "http://otel-collector:4317", got ${JSON.stringify(endpoint)}`,
    );
    return endpoint;
  }
  if (url.protocol === 'grpc:') url = new URL(`http://${url.host}${url.pathname}${url.search}`);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    report(at, `expected an http://, https:// or grpc:// collector URL, got ${JSON.stringify(endpoint)}`);
    return endpoint;
  }
  const userinfo = url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
  if (protocol === 'grpc') {
    if (userinfo) warn(at, 'ignored: credentials in the URL are not sent over gRPC (use `headers`)');
    return `${url.protocol}//${url.host}`;
  }
  const origin = `${url.protocol}//${userinfo}${url.host}`;
  const own = url.pathname + url.search;
  return origin + (own !== '/' && own !== '' ? own : (path ?? DEFAULT_TRACES_PATH));
}

/**
 * agentgateway reads every sampling value as a CEL expression: `true`, `0.25`, `"0.25"` and
 * `request.headers["x-trace"] == "on"` alike. Constants are decided here; anything else is compiled
 * with the tracer (src/telemetry/sampling.ts).
 */
function sampling(
  v: boolean | number | string | undefined,
  fallback: number,
  at: ConfigPath,
): NormalizedSampling {
  if (v === undefined) return { ratio: fallback };
  if (typeof v === 'boolean') return { ratio: v ? 1 : 0 };
  if (typeof v === 'number') return { ratio: clamp(v) };
  const t = v.trim();
  if (t === 'true') return { ratio: 1 };
  if (t === 'false') return { ratio: 0 };
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return { ratio: clamp(Number(t)) };
  return { expression: v, at };
}

/** As agentgateway: a ratio outside [0, 1] is clamped (2 traces everything, -1 nothing). */
const clamp = (n: number): number => (Number.isNaN(n) ? 0 : Math.min(1, Math.max(0, n)));

/** `frontendPolicies.tracing` — agentgateway's current form — in place of `config.tracing`. */
export function withFrontendTracing(
  tracing: NormalizedTracing | undefined,
  raw: RootConfig,
  report: Report,
  warn: Report = () => {},
): NormalizedTracing | undefined {
  const f = raw.frontendPolicies?.tracing;
  if (!f) return tracing;
  const at = ['frontendPolicies', 'tracing'];
  if (raw.config?.tracing) {
    report(
      at,
      'cannot use config.tracing together with frontendPolicies.tracing (agentgateway refuses both)',
    );
    return tracing;
  }
  if (!f.host) {
    report(at, 'missing required field `host` (the collector, e.g. `otel-collector:4317`)');
    return undefined;
  }
  return normalizeTracing(
    {
      endpoint: f.host,
      endpointKey: 'host',
      protocol: f.protocol,
      path: f.path,
      randomSampling: f.randomSampling,
      clientSampling: f.clientSampling,
      fieldsAdd: f.attributes,
      fieldsRemove: f.remove,
      resources: f.resources,
      filter: f.filter,
    },
    at,
    report,
    warn,
  );
}
