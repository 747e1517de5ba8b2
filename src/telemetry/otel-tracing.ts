/**
 * The OpenTelemetry side of ./tracing.ts, loaded only when an OTLP endpoint is configured. Contexts are
 * passed explicitly (no global context manager, no global provider): the pipeline holds the request's
 * SpanHandle and hands it to each phase.
 */
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  isSpanContextValid,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
} from '@opentelemetry/api';
import { ExportResultCode, W3CTraceContextPropagator } from '@opentelemetry/core';
import { Metadata } from '@grpc/grpc-js';
import { OTLPTraceExporter as OTLPGrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OTLPHttpTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  SamplingDecision,
  type ReadableSpan,
  type Sampler,
  type SamplingResult,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { IncomingHttpHeaders } from 'node:http';
import type { AccessLogFields } from '../contracts/request-context.js';
import { redactTokens } from './redact.js';
import { compileTracePolicy, type TracePolicy, type TraceSubject } from './trace-policy.js';
import {
  NOOP_SPAN,
  tracesUrl,
  type ChildSpanOptions,
  type RequestSpan,
  type SpanAttributes,
  type SpanHandle,
  type Tracing,
  type TracingConfig,
  type TracingOptions,
} from './tracing.js';

/**
 * The sampling decision is taken before the span starts (src/telemetry/trace-policy.ts), so the
 * sampler only keeps a trace together: a span under a parent — the caller's or our own — follows the
 * parent's sampled flag, a root span is sampled. A caller that says "not sampled" is not traced even
 * when `clientSampling` lets its requests in, as in agentgateway.
 */
class ParentFlagSampler implements Sampler {
  shouldSample(context: Context): SamplingResult {
    const parent = trace.getSpanContext(context);
    if (
      parent &&
      isSpanContextValid(parent) &&
      (parent.traceFlags & TraceFlags.SAMPLED) !== TraceFlags.SAMPLED
    )
      return { decision: SamplingDecision.NOT_RECORD };
    return { decision: SamplingDecision.RECORD_AND_SAMPLED };
  }

  toString(): string {
    return 'ParentFlagSampler';
  }
}

const headerGetter: TextMapGetter<IncomingHttpHeaders> = {
  get: (carrier, key) => carrier[key.toLowerCase()],
  keys: (carrier) => Object.keys(carrier),
};

class OtelSpanHandle implements SpanHandle {
  readonly context: Context;
  readonly traceparent: string;
  readonly traceId: string;
  constructor(readonly otel: Span) {
    const sc = otel.spanContext();
    this.context = trace.setSpan(ROOT_CONTEXT, otel);
    this.traceId = sc.traceId;
    this.traceparent = `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
  }

  setAttributes(attrs: SpanAttributes): void {
    if (this.otel.isRecording()) this.otel.setAttributes(clean(attrs));
  }
}

class OtelRequestSpan extends OtelSpanHandle implements RequestSpan {
  #ended = false;
  constructor(
    otel: Span,
    private readonly policy: TracePolicy,
    private readonly dropped: Set<string> | undefined,
  ) {
    super(otel);
  }

  get span(): SpanHandle {
    return this;
  }

  end(status: number, fields: AccessLogFields, subject?: TraceSubject): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.otel.isRecording()) {
      const attrs: Record<string, SpanAttributes[string]> = {
        ...(fields as SpanAttributes),
        'http.response.status_code': status,
      };
      for (const name of this.policy.removed) delete attrs[name];
      const added = this.policy.added(fields, status, subject);
      this.otel.setAttributes(clean({ ...attrs, ...added.attributes }));
      if (added.spanName) this.otel.updateName(added.spanName);
      if (status >= 500)
        this.otel.setStatus({ code: SpanStatusCode.ERROR, message: redactOpt(fields.error) });
      if (this.dropped && this.policy.keep && !this.policy.keep(fields, status, subject))
        this.dropped.add(this.otel.spanContext().spanId);
    }
    this.otel.end();
  }
}

/**
 * The export `filter`: the phase spans of a request end before the request span, so they wait here
 * until it ends, then go out with it or are dropped with it. Entries leave when their request span
 * ends (always: the listener ends every request span), so `#waiting` holds only requests in flight; a
 * phase span that ends after its request (a call still running when the answer went out) follows the
 * decision remembered in `#decided` (the last DECIDED_MAX requests).
 */
const DECIDED_MAX = 10_000;

class FilteringProcessor implements SpanProcessor {
  readonly #waiting = new Map<string, ReadableSpan[]>();
  readonly #decided = new Map<string, boolean>();
  constructor(
    private readonly next: SpanProcessor,
    readonly dropped: Set<string>,
  ) {}

  onStart(span: Span, ctx: Context): void {
    this.next.onStart(span as never, ctx);
  }

  onEnd(span: ReadableSpan): void {
    const id = span.spanContext().spanId;
    if (span.kind === SpanKind.SERVER) {
      const children = this.#waiting.get(id) ?? [];
      this.#waiting.delete(id);
      const keep = !this.dropped.delete(id);
      this.#decided.set(id, keep);
      if (this.#decided.size > DECIDED_MAX) this.#decided.delete(this.#decided.keys().next().value!);
      if (!keep) return;
      for (const c of children) this.next.onEnd(c);
      this.next.onEnd(span);
      return;
    }
    const parent = span.parentSpanContext?.spanId;
    if (!parent) return this.next.onEnd(span);
    const decided = this.#decided.get(parent);
    if (decided !== undefined) {
      if (decided) this.next.onEnd(span);
      return;
    }
    const list = this.#waiting.get(parent);
    if (list) list.push(span);
    else this.#waiting.set(parent, [span]);
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}

export function createOtelTracing(cfg: TracingConfig, opts: TracingOptions): Tracing {
  const policy = compileTracePolicy(cfg, opts.build);
  const exporter = reportingFailures(
    cfg.protocol === 'grpc'
      ? new OTLPGrpcTraceExporter({ url: cfg.otlpEndpoint, metadata: grpcMetadata(cfg.headers) })
      : new OTLPHttpTraceExporter({ url: tracesUrl(cfg.otlpEndpoint), headers: { ...cfg.headers } }),
    opts,
  );
  const batch = new BatchSpanProcessor(exporter, { scheduledDelayMillis: opts.scheduledDelayMs ?? 5000 });
  const dropped = policy.keep ? new Set<string>() : undefined;
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': 'portcullis',
      ...(opts.version ? { 'service.version': opts.version } : {}),
      ...policy.resources,
    }),
    sampler: new ParentFlagSampler(),
    spanLimits: { attributeValueLengthLimit: 1024, attributeCountLimit: 64 },
    spanProcessors: [dropped ? new FilteringProcessor(batch, dropped) : batch],
  });
  const tracer = provider.getTracer('portcullis', opts.version);
  const propagator = new W3CTraceContextPropagator();

  return {
    enabled: true,

    startRequestSpan(headers: IncomingHttpHeaders, name: string, subject?: TraceSubject): RequestSpan {
      const parent = headers.traceparent
        ? propagator.extract(ROOT_CONTEXT, headers, headerGetter)
        : ROOT_CONTEXT;
      const caller = trace.getSpanContext(parent);
      const withParent = caller !== undefined && isSpanContextValid(caller);
      if (!policy.sample(withParent, subject)) return NOOP_SPAN;
      return new OtelRequestSpan(tracer.startSpan(name, { kind: SpanKind.SERVER }, parent), policy, dropped);
    },

    childSpan<T>(parent: SpanHandle, name: string, fn: (span: SpanHandle) => T, o?: ChildSpanOptions): T {
      // A request that was not sampled has the no-op span: its phases are not traced either.
      if (!(parent instanceof OtelSpanHandle)) return fn(NOOP_SPAN);
      const ctx = parent.context;
      const kind = o?.kind === 'client' ? SpanKind.CLIENT : SpanKind.INTERNAL;
      const span = tracer.startSpan(
        name,
        { kind, ...(o?.attributes ? { attributes: clean(o.attributes) } : {}) },
        ctx,
      );
      const handle = new OtelSpanHandle(span);
      let result: T;
      try {
        result = fn(handle);
      } catch (e) {
        failed(span, e);
        span.end();
        throw e;
      }
      if (isPromiseLike(result)) {
        return result.then(
          (v) => {
            span.end();
            return v;
          },
          (e: unknown) => {
            failed(span, e);
            span.end();
            throw e;
          },
        ) as T;
      }
      span.end();
      return result;
    },

    // A collector that is down must not fail the gateway's stop: the failed export is already
    // reported (reportingFailures), and what it held is lost either way.
    flush: () => provider.forceFlush().catch(() => {}),
    shutdown: () => provider.shutdown().catch(() => {}),
  };
}

function failed(span: Span, e: unknown): void {
  const message = redactTokens(e instanceof Error ? e.message : String(e));
  span.recordException({ name: e instanceof Error ? e.name : 'Error', message });
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

function isPromiseLike(v: unknown): v is Promise<unknown> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

function redactOpt(s: string | undefined): string | undefined {
  return s === undefined ? undefined : redactTokens(s);
}

/** Drop empty values and redact strings (span attributes are exported as readily as log lines). */
function clean(attrs: SpanAttributes): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === '') continue;
    out[k] = typeof v === 'string' ? redactTokens(v) : v;
  }
  return out;
}

/** The exporter, with failed exports logged (warn, at most once a minute) instead of vanishing. */
function reportingFailures(exporter: SpanExporter, opts: TracingOptions): SpanExporter {
  const logger = opts.logger;
  if (!logger) return exporter;
  let lastWarn = -Infinity;
  return {
    export(spans: ReadableSpan[], done) {
      exporter.export(spans, (result) => {
        if (result.code !== ExportResultCode.SUCCESS) {
          const now = performance.now();
          if (now - lastWarn >= 60_000) {
            lastWarn = now;
            logger.warn(
              { error: redactTokens(String(result.error?.message ?? 'export failed')) },
              'trace export failed',
            );
          }
        }
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}

/** `config.tracing.headers` as gRPC metadata (the gRPC exporter's form of the same headers). */
function grpcMetadata(headers: Readonly<Record<string, string>>): Metadata {
  const m = new Metadata();
  for (const [k, v] of Object.entries(headers)) m.set(k.toLowerCase(), v);
  return m;
}
