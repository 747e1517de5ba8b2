/**
 * `--workers N` (`auto` = one per core): node:cluster. The primary process runs no gateway; it forks N
 * workers that each run the whole gateway on the same listener ports (the kernel hands connections
 * out round robin), and it serves what must exist once per machine:
 *   - the stats port, with every worker's metrics aggregated (prom-client's AggregatorRegistry);
 *   - the readiness port: ready when every worker reports ready;
 *   - signals: SIGTERM/SIGINT drain every worker (a second signal kills them at once), SIGHUP reloads all.
 * Worker 0 serves the admin UI/API and prints the banner. A worker that dies is started again with
 * backoff. Sessions follow the same rules as between replicas (docs/deploy.md): the session id is
 * sealed, so a session of HTTP upstreams continues on any worker.
 */
import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { AggregatorRegistry } from 'prom-client';
import type { HostPort } from '../config/types.js';
import { startReadinessServer } from '../admin/server.js';
import { startStatsServer } from '../telemetry/stats-server.js';
import type { WorkerMessage } from '../app/cluster-worker.js';

export const WORKER_ENV = 'PORTCULLIS_WORKER_INDEX';
/** Set by the primary when it made up the workers' session key (the key is then random per run). */
export const EPHEMERAL_KEY_ENV = 'PORTCULLIS_SESSION_KEY_EPHEMERAL';

/** `auto` → cores; a number → itself (1 = no cluster). */
export function workerCount(spec: string | undefined): number {
  if (spec === undefined) return 1;
  if (spec === 'auto') return Math.max(1, availableParallelism());
  const n = Number(spec);
  if (!Number.isInteger(n) || n < 1 || n > 256)
    throw new Error(`--workers must be a number from 1 to 256 or "auto", got "${spec}"`);
  return n;
}

/** In a worker: its index (0 serves the admin API), else undefined. */
export function workerIndex(): number | undefined {
  if (!cluster.isWorker) return undefined;
  const i = Number(process.env[WORKER_ENV]);
  return Number.isInteger(i) ? i : undefined;
}

export interface PrimaryOptions {
  readonly workers: number;
  readonly statsAddr: HostPort | false;
  readonly readinessAddr: HostPort | false;
  readonly log: (line: string) => void;
}

export async function runPrimary(o: PrimaryOptions): Promise<void> {
  const state = new Map<number, { ready: boolean; pending: readonly string[] }>();
  const byWorker = new Map<Worker, number>();
  let stopping = false;
  const restarts = new Map<number, number>();

  // Without a configured key, the workers share one random key of this machine's run, so a session still
  // continues on any worker (not on another replica).
  const sessionKey =
    process.env['PORTCULLIS_SESSION_KEY'] || process.env['PORTCULLIS_SESSION_KEY_FILE']
      ? {}
      : { PORTCULLIS_SESSION_KEY: randomBytes(32).toString('base64url'), [EPHEMERAL_KEY_ENV]: '1' };
  const fork = (index: number) => {
    const w = cluster.fork({ [WORKER_ENV]: String(index), ...sessionKey });
    byWorker.set(w, index);
    state.set(index, { ready: false, pending: [`worker ${index} starting`] });
    w.on('message', (m: WorkerMessage) => {
      if (m && m.portcullis === 'ready') state.set(index, { ready: m.ready, pending: m.pending });
    });
    w.on('exit', (code, signal) => {
      byWorker.delete(w);
      state.set(index, { ready: false, pending: [`worker ${index} exited`] });
      if (stopping) return;
      const n = (restarts.get(index) ?? 0) + 1;
      restarts.set(index, n);
      const delay = Math.min(30_000, 250 * 2 ** Math.min(n, 7));
      o.log(
        `portcullis: worker ${index} exited (${signal ?? `code ${code}`}); starting it again in ${delay} ms\n`,
      );
      setTimeout(() => fork(index), delay).unref();
    });
  };
  for (let i = 0; i < o.workers; i++) fork(i);

  const servers: { close(): Promise<void> }[] = [];
  if (o.statsAddr) {
    const agg = new AggregatorRegistry();
    servers.push(
      await startStatsServer({ registry: { metrics: () => agg.clusterMetrics() } } as never, o.statsAddr),
    );
  }
  if (o.readinessAddr) {
    servers.push(
      await startReadinessServer(
        {
          ready: () => {
            const pending = [...state.entries()]
              .filter(([, s]) => !s.ready)
              .flatMap(([i, s]) => s.pending.map((p) => `worker ${i}: ${p}`));
            return {
              ready: !stopping && pending.length === 0,
              pending: stopping ? ['shutting down'] : pending,
            };
          },
        },
        o.readinessAddr,
      ),
    );
  }

  const signalAll = (sig: NodeJS.Signals) => {
    for (const w of byWorker.keys()) w.process.kill(sig);
  };
  const shutdown = (why: string) => {
    if (stopping) {
      o.log(`portcullis: ${why} again, stopping now\n`);
      signalAll('SIGKILL');
      process.exit(1);
    }
    stopping = true;
    o.log(`\nportcullis: ${why}, draining ${byWorker.size} worker(s)…\n`);
    signalAll('SIGTERM');
    const check = setInterval(() => {
      if (byWorker.size > 0) return;
      clearInterval(check);
      void Promise.all(servers.map((s) => s.close())).then(() => process.exit(0));
    }, 50);
    setTimeout(() => {
      signalAll('SIGKILL');
      process.exit(1);
    }, 60_000).unref();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGHUP', () => signalAll('SIGHUP'));
}
