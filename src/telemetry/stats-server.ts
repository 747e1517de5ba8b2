/**
 * The stats listener (`config.statsAddr`, default `:15020`): `/metrics` and `/stats/prometheus`, in the
 * Prometheus text format, or OpenMetrics when the scraper's Accept header asks for it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.js';

export interface StatsServer {
  /** `http://host:port` the server listens on (the real port when 0 was asked). */
  readonly url: string;
  close(): Promise<void>;
}

const PROMETHEUS_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const OPENMETRICS_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
const PATHS: ReadonlySet<string> = new Set(['/metrics', '/stats/prometheus']);

export async function startStatsServer(
  metrics: Pick<Metrics, 'registry'>,
  addr: { readonly host: string; readonly port: number },
): Promise<StatsServer> {
  const server = createServer(function statsHandler(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (!PATHS.has(path)) return plain(res, 404, 'not found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return plain(res, 405, 'method not allowed\n');
    }
    const openMetrics = wantsOpenMetrics(req.headers.accept);
    metrics.registry.metrics().then(
      (text) => {
        const body = openMetrics ? toOpenMetrics(text) : text;
        res.writeHead(200, {
          'content-type': openMetrics ? OPENMETRICS_TYPE : PROMETHEUS_TYPE,
          'content-length': Buffer.byteLength(body),
        });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (e: unknown) =>
        plain(res, 500, `failed to collect metrics: ${e instanceof Error ? e.message : String(e)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(addr.port, addr.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function plain(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(body);
}

/** True when Accept lists `application/openmetrics-text` (with a non-zero q). */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const [type, ...params] = part.trim().split(';');
    if (type?.trim().toLowerCase() !== 'application/openmetrics-text') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/**
 * Prometheus text → OpenMetrics 1.0: counter families are named without `_total` in HELP/TYPE (the
 * samples keep it), no blank lines, and a final `# EOF`. prom-client can render OpenMetrics itself,
 * but only by switching the whole registry (and renaming the counters) — not per scrape.
 */
export function toOpenMetrics(text: string): string {
  const lines = text.split('\n').filter((l) => l !== '');
  const counters = new Set<string>();
  for (const line of lines) {
    const m = /^# TYPE (\S+) counter$/.exec(line);
    if (m?.[1]?.endsWith('_total')) counters.add(m[1]);
  }
  const out = lines.map((line) => {
    const m = /^# (HELP|TYPE) (\S+)(.*)$/.exec(line);
    if (m && m[2] && counters.has(m[2])) return `# ${m[1]} ${m[2].slice(0, -'_total'.length)}${m[3]}`;
    return line;
  });
  return `${out.join('\n')}\n# EOF\n`;
}
