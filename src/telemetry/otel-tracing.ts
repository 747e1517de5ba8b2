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
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  type ReadableSpan,
  type Sampler,
  type SamplingResult,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import type { IncomingHttpHeaders } from 'node:http';
import type { AccessLogFields } from '../contracts/request-context.js';
import { redactTokens } from './redact.js';
import {
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
 * Requests with a `traceparent` follow the caller's sampled flag when `clientSampling` is on (and the
 * ratio otherwise); requests without one, by the ratio. Spans under a local parent follow the parent.
 */
class GatewaySampler implements Sampler {
  readonly #ratio: TraceIdRatioBasedSampler;
  constructor(
    ratio: number,
    readonly clientSampling: boolean,
  ) {
    this.#ratio = new TraceIdRatioBasedSampler(ratio);
  }

  shouldSample(context: Context, traceId: string): SamplingResult {
    const parent = trace.getSpanContext(context);
    if (parent && isSpanContextValid(parent) && (!parent.isRemote || this.clientSampling)) {
      const sampled = (parent.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
      return { decision: sampled ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD };
    }
    return this.#ratio.shouldSample(context, traceId);
  }

  toString(): string {
    return `GatewaySampler{${this.#ratio.toString()}, clientSampling=${this.clientSampling}}`;
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
  get span(): SpanHandle {
    return this;
  }

  end(status: number, fields: AccessLogFields): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.otel.isRecording()) {
      this.otel.setAttributes({ ...clean(fields as SpanAttributes), 'http.response.status_code': status });
      if (status >= 500)
        this.otel.setStatus({ code: SpanStatusCode.ERROR, message: redactOpt(fields.error) });
    }
    this.otel.end();
  }
}

export function createOtelTracing(cfg: TracingConfig, opts: TracingOptions): Tracing {
  const exporter = reportingFailures(
    new OTLPTraceExporter({ url: tracesUrl(cfg.otlpEndpoint), headers: { ...cfg.headers } }),
    opts,
  );
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': 'portcullis',
      ...(opts.version ? { 'service.version': opts.version } : {}),
    }),
    sampler: new GatewaySampler(cfg.samplingRatio, cfg.clientSampling),
    spanLimits: { attributeValueLengthLimit: 1024, attributeCountLimit: 64 },
    spanProcessors: [
      new BatchSpanProcessor(exporter, { scheduledDelayMillis: opts.scheduledDelayMs ?? 5000 }),
    ],
  });
  const tracer = provider.getTracer('portcullis', opts.version);
  const propagator = new W3CTraceContextPropagator();

  return {
    enabled: true,

    startRequestSpan(headers: IncomingHttpHeaders, name: string): RequestSpan {
      const parent = headers.traceparent
        ? propagator.extract(ROOT_CONTEXT, headers, headerGetter)
        : ROOT_CONTEXT;
      return new OtelRequestSpan(tracer.startSpan(name, { kind: SpanKind.SERVER }, parent));
    },

    childSpan<T>(parent: SpanHandle, name: string, fn: (span: SpanHandle) => T, o?: ChildSpanOptions): T {
      const ctx = parent instanceof OtelSpanHandle ? parent.context : ROOT_CONTEXT;
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

    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
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
function reportingFailures(exporter: OTLPTraceExporter, opts: TracingOptions): SpanExporter {
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
    forceFlush: () => exporter.forceFlush(),
  };
}
