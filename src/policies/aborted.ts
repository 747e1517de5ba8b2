import { GatewayError, isGatewayError } from '../errors/registry.js';

/**
 * The error to end a request with when its signal fired while a policy waited on a service: the
 * signal's own GatewayError (the route's timeout), else REQUEST_TIMEOUT (the client is gone and
 * will not read it). Never an untyped error, which the pipeline would log as a bug.
 */
export function abortedError(signal: AbortSignal): GatewayError {
  const r: unknown = signal.reason;
  return isGatewayError(r) ? r : new GatewayError('REQUEST_TIMEOUT');
}
