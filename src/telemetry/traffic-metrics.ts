/**
 * Metrics of the external and traffic policies (extAuthz, remoteRateLimit, apiKey/basicAuth, retry,
 * requestMirror, transformations) and of TCP routes, on the gateway's registry. Every label value is
 * from a fixed set, except the TCP listener, which is capped like the HTTP ones.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { TrafficTelemetry } from '../contracts/traffic-telemetry.js';
import { CappedLabel } from './label-bounds.js';

export interface TcpTelemetry {
  /** A connection was accepted (`accepted`) or refused (`refused`: over the cap; `no_route`). */
  tcpConnection(listener: string, result: 'accepted' | 'refused' | 'no_route' | 'upstream_failed'): void;
  tcpActive(delta: number): void;
  tcpBytes(direction: 'upstream' | 'downstream', n: number): void;
}

export function createTrafficMetrics(registry: Registry): TrafficTelemetry & TcpTelemetry {
  const registers = [registry];
  const extAuthz = new Counter({
    name: 'portcullis_extauthz_checks_total',
    help: 'extAuthz checks, by result (allow, deny, error_allow, error_deny; cache_allow, cache_deny: answered from the decision cache).',
    labelNames: ['result'] as const,
    registers,
  });
  const rls = new Counter({
    name: 'portcullis_remote_ratelimit_checks_total',
    help: 'remoteRateLimit calls, by result (ok, over_limit, error_allow, error_deny, skipped).',
    labelNames: ['result'] as const,
    registers,
  });
  const credentials = new Counter({
    name: 'portcullis_credential_checks_total',
    help: 'apiKey / basicAuth checks, by policy and result (ok, anonymous, refused, busy).',
    labelNames: ['policy', 'result'] as const,
    registers,
  });
  const retries = new Counter({
    name: 'portcullis_retries_total',
    help: 'Upstream attempts repeated by the retry policy.',
    registers,
  });
  const mirrors = new Counter({
    name: 'portcullis_mirror_requests_total',
    help: 'requestMirror copies, by result (sent, failed, dropped: over the in-flight bounds).',
    labelNames: ['result'] as const,
    registers,
  });
  const mirrorInFlight = new Gauge({
    name: 'portcullis_mirror_requests_in_flight',
    help: 'Mirrored requests not finished yet.',
    registers,
  });
  const transformErrors = new Counter({
    name: 'portcullis_transformation_errors_total',
    help: 'transformations expressions that failed to evaluate (the value was left unchanged).',
    registers,
  });
  const tcpConnections = new Counter({
    name: 'portcullis_tcp_connections_total',
    help: 'TCP route connections, by listener and result (accepted, refused, no_route, upstream_failed).',
    labelNames: ['listener', 'result'] as const,
    registers,
  });
  const tcpActive = new Gauge({
    name: 'portcullis_tcp_connections_active',
    help: 'Open TCP route connections.',
    registers,
  });
  const tcpBytes = new Counter({
    name: 'portcullis_tcp_bytes_total',
    help: 'Bytes relayed by TCP routes, by direction (upstream, downstream).',
    labelNames: ['direction'] as const,
    registers,
  });
  for (const result of ['sent', 'failed', 'dropped']) mirrors.inc({ result }, 0);
  mirrorInFlight.set(0);
  tcpActive.set(0);
  const listeners = new CappedLabel(200);
  let inFlight = 0;
  let active = 0;
  return {
    extAuthz: (result) => extAuthz.inc({ result }),
    remoteRateLimit: (result) => rls.inc({ result }),
    credential: (policy, result) => credentials.inc({ policy, result }),
    retry: () => retries.inc(),
    mirror: (result) => mirrors.inc({ result }),
    mirrorInFlight(delta) {
      inFlight = Math.max(0, inFlight + delta);
      mirrorInFlight.set(inFlight);
    },
    transformError: () => transformErrors.inc(),
    tcpConnection: (listener, result) => tcpConnections.inc({ listener: listeners.label(listener), result }),
    tcpActive(delta) {
      active = Math.max(0, active + delta);
      tcpActive.set(active);
    },
    tcpBytes: (direction, n) => tcpBytes.inc({ direction }, n),
  };
}
