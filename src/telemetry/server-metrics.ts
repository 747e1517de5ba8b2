/**
 * Prometheus counters for the listener layer (src/contracts/server-events.ts): request timeouts, refused
 * connections, malformed requests and requests cut by shutdown. Registered on the gateway's own
 * registry (./metrics.ts), zero-valued from the start so alerts work before the first event.
 */
import { Counter, type Registry } from 'prom-client';
import type { MalformedReason, ServerEvents, TimeoutPhase } from '../contracts/server-events.js';
import { CappedLabel } from './label-bounds.js';

export function createServerMetrics(registry: Registry): ServerEvents {
  const registers = [registry];
  const timeouts = new Counter({
    name: 'portcullis_http_request_timeouts_total',
    help: 'Requests whose head or body did not arrive in time (config.limits.requestHeaderTimeout / requestBodyTimeout), by phase.',
    labelNames: ['phase'] as const,
    registers,
  });
  const rejected = new Counter({
    name: 'portcullis_connections_rejected_total',
    help: 'Client connections refused because the bind held config.limits.connectionsPerBind connections, by bind.',
    labelNames: ['bind'] as const,
    registers,
  });
  const malformed = new Counter({
    name: 'portcullis_http_malformed_requests_total',
    help: 'Requests answered 400/431 before routing (bad Host, request-target, HTTP syntax, oversized head), by reason.',
    labelNames: ['reason'] as const,
    registers,
  });
  const aborted = new Counter({
    name: 'portcullis_shutdown_aborted_requests_total',
    help: 'Requests still running at the shutdown deadline, answered "gateway shutting down".',
    registers,
  });
  for (const phase of ['header', 'body'] satisfies TimeoutPhase[]) timeouts.inc({ phase }, 0);
  for (const reason of ['host', 'target', 'http', 'header-overflow'] satisfies MalformedReason[])
    malformed.inc({ reason }, 0);
  aborted.inc(0);
  const binds = new CappedLabel(200);
  return {
    requestTimeout: (phase) => timeouts.inc({ phase }),
    connectionRejected: (bind) => rejected.inc({ bind: binds.label(bind) }),
    malformedRequest: (reason) => malformed.inc({ reason }),
    shutdownAborted: () => aborted.inc(),
  };
}
