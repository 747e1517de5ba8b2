/**
 * Tracing: one server span per HTTP request, child spans for authentication, authorization and each
 * upstream call, W3C `traceparent` in and out. The OpenTelemetry SDK lives in ./otel-tracing.ts and is
 * only loaded when `config.tracing.otlpEndpoint` is set: without it, `NOOP_TRACING` is returned, no
 * provider is constructed, no SDK module is loaded, and every call is a constant-time no-op.
 *
 * A tracer provider per gateway instance, never registered globally, so several gateways in one
 * process (the test suite) each export to their own endpoint.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { NormalizedStatic } from '../config/types.js';
import type { BuildContext } from '../contracts/build-context.js';
import type { AccessLogFields } from '../contracts/request-context.js';
import type { TraceSubject } from './trace-policy.js';

export type { TraceSubject } from './trace-policy.js';
export type TracingConfig = NonNullable<NormalizedStatic['tracing']>;

export type SpanAttributes = Readonly<Record<string, string | number | boolean | undefined>>;

/** A span as the pipeline sees it: what to propagate, and a place for attributes. */
export interface SpanHandle {
  /** W3C `traceparent` naming this span, for HTTP upstreams (header) and stdio (`_meta.traceparent`). */
  readonly traceparent: string | undefined;
  /** Hex trace id (for the access log's `trace.id`); undefined when tracing is off. */
  readonly traceId: string | undefined;
  setAttributes(attrs: SpanAttributes): void;
}

/** The server span of one HTTP request. Pass `span` as the parent of child spans. */
export interface RequestSpan extends SpanHandle {
  readonly span: SpanHandle;
  /**
   * End the span with the response status; the access-log fields become its attributes, less
   * `fields.remove`, plus `fields.add` evaluated over `subject`. Idempotent.
   */
  end(status: number, fields: AccessLogFields, subject?: TraceSubject): void;
}

export interface ChildSpanOptions {
  /** `client` for calls to upstreams, `internal` (default) for gateway phases. */
  readonly kind?: 'internal' | 'client';
  readonly attributes?: SpanAttributes;
}

export interface Tracing {
  readonly enabled: boolean;
  /**
   * Start the server span of a request; an incoming `traceparent` header makes it a child of the
   * caller's span. `randomSampling` / `clientSampling` decide over `subject` whether there is a span at
   * all: a request not sampled gets the no-op span.
   */
  startRequestSpan(headers: IncomingHttpHeaders, name: string, subject?: TraceSubject): RequestSpan;
  /**
   * Run `fn` inside a child span of `parent` (e.g. `authentication`, `authorization`,
   * `upstream tools/call`). The span ends when `fn` returns or its promise settles; a throw or
   * rejection marks it as an error and is rethrown.
   */
  childSpan<T>(parent: SpanHandle, name: string, fn: (span: SpanHandle) => T, opts?: ChildSpanOptions): T;
  /** Export what is buffered now. */
  flush(): Promise<void>;
  /** Flush and stop exporting. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** `service.version` resource attribute. */
  readonly version?: string;
  /** Export failures are logged here (warn, at most once a minute). */
  readonly logger?: Logger;
  /** Batch delay before an export (default 5000 ms). */
  readonly scheduledDelayMs?: number;
  /** Locates CEL errors (sampling expressions, fields, filter) in the config; needed when there are any. */
  readonly build?: BuildContext;
}

export const NOOP_SPAN: RequestSpan = Object.freeze({
  traceparent: undefined,
  traceId: undefined,
  get span(): SpanHandle {
    return NOOP_SPAN;
  },
  setAttributes() {},
  end() {},
});

/** Tracing off: nothing allocated per request, `fn` called directly. */
export const NOOP_TRACING: Tracing = Object.freeze({
  enabled: false,
  startRequestSpan: () => NOOP_SPAN,
  childSpan: <T>(_parent: SpanHandle, _name: string, fn: (span: SpanHandle) => T): T => fn(NOOP_SPAN),
  flush: async () => {},
  shutdown: async () => {},
});

/**
 * `NOOP_TRACING` without an endpoint; otherwise loads the SDK and starts an OTLP exporter — gRPC
 * (agentgateway's default) or HTTP/protobuf.
 */
export async function createTracing(
  cfg: TracingConfig | undefined,
  opts: TracingOptions = {},
): Promise<Tracing> {
  if (!cfg?.otlpEndpoint) return NOOP_TRACING;
  const { createOtelTracing } = await import('./otel-tracing.js');
  return createOtelTracing(cfg, opts);
}

/** The OTLP/HTTP traces URL: a bare collector address gets the standard `/v1/traces` path. */
export function tracesUrl(endpoint: string): string {
  const url = new URL(endpoint);
  if (url.pathname === '' || url.pathname === '/') url.pathname = '/v1/traces';
  return url.toString();
}
