/** Counters the traffic policies report (src/telemetry/traffic-metrics.ts implements them). */
export interface TrafficTelemetry {
  extAuthz(result: 'allow' | 'deny' | 'error_allow' | 'error_deny' | 'cache_allow' | 'cache_deny'): void;
  remoteRateLimit(result: 'ok' | 'over_limit' | 'error_allow' | 'error_deny' | 'skipped'): void;
  credential(policy: 'apiKey' | 'basicAuth', result: 'ok' | 'anonymous' | 'refused' | 'busy'): void;
  retry(): void;
  mirror(result: 'sent' | 'failed' | 'dropped'): void;
  mirrorInFlight(delta: number): void;
  transformError(): void;
}

export const NO_TRAFFIC_TELEMETRY: TrafficTelemetry = {
  extAuthz: () => {},
  remoteRateLimit: () => {},
  credential: () => {},
  retry: () => {},
  mirror: () => {},
  mirrorInFlight: () => {},
  transformError: () => {},
};
