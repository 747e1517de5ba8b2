/**
 * `requestMirror` (Gateway API RequestMirror filter, agentgateway names): send a copy of `percentage`
 * of the route's requests to another backend (`{host: "h:p"}`), fire-and-forget: the client's answer
 * never waits for the mirror, and the mirror's answer is read and discarded.
 *
 * Bounded (config.limits): at most `mirrorRequestsInFlight` copies and `mirrorBytesInFlight` body bytes
 * in flight over the whole gateway, each abandoned after `mirrorTimeout`; a copy that does not fit is
 * dropped. `portcullis_mirror_requests_total{result="sent|failed|dropped"}` counts them and
 * `portcullis_mirror_requests_in_flight` shows the current load. The copy carries the upstream headers
 * (after hygiene and modifiers) and the buffered body (host backends; MCP backends mirror without body).
 */
import { Agent, request } from 'undici';
import type { RequestMirrorConfig } from '../../config/schema/traffic.js';
import type { ConfigPath } from '../../config/types.js';
import type { BuildContext } from '../../contracts/build-context.js';
import type { CompiledMirror, TrafficTelemetry } from '../types.js';
import { NO_TRAFFIC_TELEMETRY } from '../types.js';
import type { MirrorBudget } from './budget.js';

export interface MirrorDeps {
  readonly budget: MirrorBudget;
  readonly timeoutMs: number;
  readonly telemetry?: TrafficTelemetry;
  /** Random source in [0, 1) (tests pin it). */
  readonly random?: () => number;
}

export function compileMirror(
  cfg: RequestMirrorConfig,
  ctx: BuildContext,
  at: ConfigPath,
  deps: MirrorDeps,
): CompiledMirror {
  if (cfg.percentage === 0) ctx.warn([...at, 'percentage'], 'percentage is 0: nothing is mirrored');
  // A `backend:` reference was resolved to its host at load (src/config/normalize-service-ref.ts).
  const host = cfg.backend.host;
  if (host === undefined) throw ctx.error([...at, 'backend'], 'backend reference not resolved');
  const origin = `http://${host}`;
  const telemetry = deps.telemetry ?? NO_TRAFFIC_TELEMETRY;
  const random = deps.random ?? Math.random;
  const agent = new Agent({
    connect: { timeout: deps.timeoutMs },
    headersTimeout: deps.timeoutMs,
    bodyTimeout: deps.timeoutMs,
    keepAliveTimeout: 10_000,
  });
  return {
    close: () => void agent.close().catch(() => {}),
    mirror: function requestMirror(rc, body) {
      if (cfg.percentage < 1 && random() >= cfg.percentage) return;
      const bytes = body?.length ?? 0;
      if (!deps.budget.take(bytes)) {
        telemetry.mirror('dropped');
        return;
      }
      telemetry.mirrorInFlight(1);
      const headers = { ...rc.upstreamHeaders };
      delete headers['host'];
      const method = rc.request.method;
      const withBody = body !== undefined && method !== 'GET' && method !== 'HEAD';
      const done = (ok: boolean): void => {
        deps.budget.give(bytes);
        telemetry.mirrorInFlight(-1);
        telemetry.mirror(ok ? 'sent' : 'failed');
      };
      request(new URL(rc.url.pathname + rc.url.search, origin), {
        method: method as 'GET',
        headers,
        body: withBody ? body : null,
        dispatcher: agent,
        signal: AbortSignal.timeout(deps.timeoutMs),
      })
        .then(async (res) => {
          await res.body.dump({ limit: 64 * 1024 }).catch(() => {});
          done(true);
        })
        .catch(() => done(false));
    },
  };
}
