/**
 * The readiness server (default :15021): `GET /healthz/ready` → `200 ready` once the config is loaded
 * and every listener is bound, else `503 not ready, pending: …` naming what is missing. Failing targets
 * count only with `config.readiness.requireTargets: true` (off by default, so a load balancer does not
 * pull a replica because one upstream is down). A remote JWKS not fetched yet adds a `degraded: …` line
 * to `ready` (or, with `config.readiness.requireJwks: true`, holds readiness back). Kubernetes-style
 * probes only: no other paths, no other methods.
 */
import { createServer } from 'node:http';
import { sendText } from './http.js';
import { listen, type ListenOptions, type RunningServer } from './listen.js';
import type { AdminBackend } from './types.js';

export async function startReadinessServer(
  backend: Pick<AdminBackend, 'ready'>,
  opts: ListenOptions = {},
): Promise<RunningServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/healthz/ready') return sendText(res, 404, 'not found\n');
    if (req.method !== 'GET') return sendText(res, 405, 'method not allowed\n', { allow: 'GET' });
    let state;
    try {
      state = backend.ready();
    } catch (e) {
      return sendText(res, 503, `not ready, pending: ${e instanceof Error ? e.message : String(e)}\n`);
    }
    if (state.ready) {
      const degraded = state.degraded?.length ? `degraded: ${state.degraded.join(', ')}\n` : '';
      return sendText(res, 200, `ready\n${degraded}`);
    }
    sendText(res, 503, `not ready, pending: ${state.pending.join(', ') || 'unknown'}\n`);
  });
  return listen(server, opts.host ?? '0.0.0.0', opts.port ?? 15021);
}
