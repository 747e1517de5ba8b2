/**
 * What the listeners report about traffic that never reaches a route (metrics seam; the app wires it
 * to Prometheus in src/telemetry/server-metrics.ts). Every method is cheap and never throws.
 */
export type TimeoutPhase = 'header' | 'body';
export type MalformedReason = 'host' | 'target' | 'http' | 'header-overflow';

export interface ServerEvents {
  /** A request head or body did not arrive in time (`config.limits.requestHeaderTimeout` / `…BodyTimeout`). */
  requestTimeout(phase: TimeoutPhase): void;
  /** A connection over `config.limits.connectionsPerBind` was refused. */
  connectionRejected(bind: string): void;
  /** A request answered 400/431 before routing. */
  malformedRequest(reason: MalformedReason): void;
  /** A request still running at the shutdown deadline, answered `gateway shutting down`. */
  shutdownAborted(): void;
}

export const NO_SERVER_EVENTS: ServerEvents = {
  requestTimeout: () => {},
  connectionRejected: () => {},
  malformedRequest: () => {},
  shutdownAborted: () => {},
};
