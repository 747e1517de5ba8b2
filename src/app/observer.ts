/** Wires the access log, metrics and tracing around every request (the listener calls start/end). */
import type { RequestObserver } from '../server/listeners.js';
import type { AccessLog } from '../telemetry/access-log.js';
import { formatDuration } from '../telemetry/access-log.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { Tracing } from '../telemetry/tracing.js';

export function createObserver(o: {
  accessLog: AccessLog;
  metrics: Metrics;
  tracing: Tracing;
}): RequestObserver {
  const spans = new WeakMap<object, ReturnType<Tracing['startRequestSpan']>>();
  return {
    start(ctx) {
      if (!o.tracing.enabled) return;
      const s = o.tracing.startRequestSpan(ctx.req.headers, `${ctx.request.method} ${ctx.url.pathname}`, ctx);
      spans.set(ctx, s);
      ctx.traceparent = s.traceparent;
      if (s.traceId) ctx.log['trace.id'] = s.traceId;
      ctx.trace = {
        child: (name, fn, kind) =>
          o.tracing.childSpan(s.span, name, (child) => fn(child.traceparent), kind ? { kind } : undefined),
      };
    },
    end(ctx) {
      const ms = performance.now() - ctx.startedAt;
      o.accessLog.write({ ...ctx.log, duration: formatDuration(ms) }, ctx);
      o.metrics.httpRequest(ctx.log, ms / 1000);
      spans.get(ctx)?.end(ctx.res.statusCode, ctx.log, ctx);
    },
    tcpEnd(fields, ms) {
      o.accessLog.write({ ...fields, duration: formatDuration(ms) });
    },
  };
}
