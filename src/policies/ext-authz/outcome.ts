/**
 * What one extAuthz check decided, as a value (so a decision can be cached and replayed): allowed, with
 * the header changes for the upstream request and the client's response; or denied, with the answer to
 * write (the service's status, headers and body, or a redirect).
 */
import type { RequestContext } from '../../contracts/request-context.js';
import type { TrafficTelemetry, UpstreamGrant } from '../types.js';
import { answer } from './answer.js';
import { applyToRecord, applyToResponse, type HeaderOp } from './header-ops.js';

export type Outcome =
  | {
      readonly kind: 'allow';
      readonly set: readonly HeaderOp[];
      readonly remove: readonly string[];
      readonly response: readonly HeaderOp[];
    }
  | {
      readonly kind: 'deny';
      readonly status: number;
      readonly headers: readonly HeaderOp[];
      readonly body: Buffer;
    };

export const NOOP_GRANT: UpstreamGrant = { applyTo: () => {} };

function grant(set: readonly HeaderOp[], remove: readonly string[]): UpstreamGrant {
  if (!set.length && !remove.length) return NOOP_GRANT;
  return {
    applyTo(headers) {
      applyToRecord(headers, set);
      for (const name of remove) {
        const n = name.toLowerCase();
        // Envoy never lets the service remove Host or pseudo-headers.
        if (n !== 'host' && !n.startsWith(':')) delete headers[n];
      }
    },
  };
}

/** Apply a decision to the request: a grant when allowed; the answer written (undefined) when denied. */
export function applyOutcome(
  rc: RequestContext,
  o: Outcome,
  jsonRpc: boolean,
  telemetry: TrafficTelemetry,
  cached: boolean,
): UpstreamGrant | undefined {
  rc.log['extauthz.decision'] = o.kind;
  if (cached) rc.log['extauthz.cache'] = 'hit';
  telemetry.extAuthz(cached ? (o.kind === 'allow' ? 'cache_allow' : 'cache_deny') : o.kind);
  if (o.kind === 'deny') {
    answer(rc, o.status, o.headers, o.body, jsonRpc);
    return undefined;
  }
  if (o.response.length) applyToResponse(rc.res, o.response);
  return grant(o.set, o.remove);
}
