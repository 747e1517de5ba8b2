/**
 * The composition root: config → logger, telemetry, gateway, admin/stats/readiness servers, watcher,
 * signals. The CLI and the test helper both start Portcullis through `startPortcullis`, so tests run
 * the real wiring.
 */
import type { DestinationStream } from 'pino';
import type { DemoToken } from '../admin/api.js';
import { startAdminServer, startReadinessServer } from '../admin/server.js';
import { adminTokenFromEnv } from '../admin/token.js';
import { loadConfig, type ConfigInput } from '../config/load.js';
import type { HostPort } from '../config/types.js';
import { celLogCompiler, createAccessLog } from '../telemetry/access-log.js';
import { createLogger, setLevel } from '../telemetry/logger.js';
import { createMetrics } from '../telemetry/metrics.js';
import { createServerMetrics } from '../telemetry/server-metrics.js';
import { describeListenError } from '../server/listen-error.js';
import { createTrafficMetrics } from '../telemetry/traffic-metrics.js';
import { startStatsServer } from '../telemetry/stats-server.js';
import { createTracing } from '../telemetry/tracing.js';
import { sharedStateFrom } from '../redis/from-env.js';
import { sessionKeyringFrom } from './session-key.js';
import { AggregatorRegistry } from 'prom-client';
import { reportReadiness } from './cluster-worker.js';
import { createAdminBackend } from './admin-backend.js';
import { Gateway } from './gateway.js';
import { createObserver } from './observer.js';
import { createTargetMetrics } from '../telemetry/target-metrics.js';
import { registerJwksGauge } from '../telemetry/jwks-metrics.js';
import { TargetHealth } from './target-health.js';
import { TargetProber } from './target-prober.js';
import { VERSION } from './version.js';
import { ConfigWatcher } from './watcher.js';

export interface PortcullisOptions {
  readonly input: ConfigInput;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Watch the config file (and what it references) and reload on change. Default: when from a file. */
  readonly watch?: boolean;
  /** Where log lines go (default stdout). */
  readonly logDestination?: DestinationStream | NodeJS.WritableStream;
  readonly logLevel?: string;
  /** `--log-format`: overrides config.logging.format. */
  readonly logFormat?: 'json' | 'text';
  /** Override static addresses (tests use 127.0.0.1:0); `false` disables that server. */
  readonly adminAddr?: HostPort | false;
  readonly statsAddr?: HostPort | false;
  readonly readinessAddr?: HostPort | false;
  readonly demoTokens?: readonly DemoToken[];
  /** A `--workers` cluster worker: metrics go to the primary's aggregate, readiness is reported to it. */
  readonly clusterWorker?: boolean;
  /** Called when something asks the process to stop (`/quitquitquit`). */
  readonly onQuit?: () => void;
}

export interface Portcullis {
  readonly gateway: Gateway;
  readonly adminUrl: string | undefined;
  readonly statsUrl: string | undefined;
  readonly readinessUrl: string | undefined;
  readonly watcher: ConfigWatcher | undefined;
  stop(): Promise<void>;
}

/** How long start-up waits for the first round of target probes (then they finish in the background). */
const FIRST_PROBE_WAIT_MS = 3000;

function boundedWait(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

export async function startPortcullis(o: PortcullisOptions): Promise<Portcullis> {
  const loaded = loadConfig(o.input, o.env);
  const st = loaded.config.static;
  const logger = createLogger({
    level: o.logLevel ?? st.logging.level,
    format: o.logFormat ?? st.logging.format,
    ...(o.logDestination ? { destination: o.logDestination } : {}),
  });
  if (o.logLevel) setLevel(logger, o.logLevel);
  const metrics = createMetrics({ version: VERSION });
  const traffic = createTrafficMetrics(metrics.registry);
  const accessLog = createAccessLog({
    logger,
    filter: st.logging.filter,
    fieldsAdd: st.logging.fieldsAdd,
    fieldsRemove: st.logging.fieldsRemove,
    compile: celLogCompiler(loaded.build),
  });
  const tracing = await createTracing(st.tracing, { version: VERSION, logger, build: loaded.build });
  const targetMetrics = createTargetMetrics(metrics.registry);
  const health = new TargetHealth((ref, entry) => targetMetrics.state(ref, entry?.status));
  const sharedState = sharedStateFrom(o.env, logger, metrics);
  const sessionKeyring = sessionKeyringFrom(o.env, logger);
  // Created once the gateway (and its upstream factory) exists; re-synced after every good reload.
  // eslint-disable-next-line prefer-const -- assigned after Gateway.start, read by its callbacks
  let prober: TargetProber | undefined;
  const gateway: Gateway = await Gateway.start(
    o.input,
    {
      logger,
      telemetry: metrics,
      observer: createObserver({ accessLog, metrics, tracing }),
      env: o.env,
      serverEvents: createServerMetrics(metrics.registry),
      onReload: (ok) => {
        metrics.configReload(ok);
        if (ok) void prober?.sync(gateway.snapshot);
      },
      onJwksRefresh: (ok) => metrics.jwksRefresh(ok),
      ...(sharedState ? { sharedState } : {}),
      sessionKeyring,
      traffic,
      onStdioState: (target, e) => prober?.observeStdio(target, e),
    },
    loaded,
  );
  metrics.configReload(true);
  registerJwksGauge(metrics.registry, () => gateway.snapshot.jwks);
  prober = new TargetProber({
    health,
    factory: gateway.upstreamFactory,
    logger: logger.child({ component: 'probe' }),
    version: VERSION,
    onProbe: (ref, code) => targetMetrics.probe(ref, code),
  });
  // The first status is known before start-up completes, within a bound: readiness never waits on targets.
  await boundedWait(prober.sync(gateway.snapshot), FIRST_PROBE_WAIT_MS);

  const servers: { close(): Promise<void> }[] = [];
  let watcher: ConfigWatcher | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await watcher?.close();
      prober?.close();
      await Promise.all(servers.map((s) => s.close().catch(() => {})));
      await gateway.stop();
      await sharedState?.close();
      await tracing.shutdown();
      logger.info('Portcullis stopped');
      logger.flush?.();
    })());

  try {
    const admin = createAdminBackend({
      gateway,
      health,
      demoTokens: o.demoTokens ?? [],
      env: o.env,
      quit: () => (o.onQuit ? o.onQuit() : void stop()),
    });
    const adminAddr = o.adminAddr ?? st.adminAddr;
    const statsAddr = o.statsAddr ?? st.statsAddr;
    const readinessAddr = o.readinessAddr ?? st.readinessAddr;
    let adminUrl: string | undefined;
    let statsUrl: string | undefined;
    let readinessUrl: string | undefined;
    // A failed listen names the setting and the environment variable that chose the address.
    const listening = async <T>(
      label: string,
      key: 'adminAddr' | 'statsAddr' | 'readinessAddr',
      env: string,
      addr: HostPort,
      start: () => Promise<T>,
    ): Promise<T> => {
      try {
        return await start();
      } catch (e) {
        const setting = `config.${key}`;
        throw describeListenError(e, {
          label,
          address: addr.host,
          port: addr.port,
          portSetting: setting,
          addressSetting: setting,
          env,
          source: o.input.name,
        });
      }
    };
    if (adminAddr) {
      const s = await listening('admin server', 'adminAddr', 'ADMIN_ADDR', adminAddr, () =>
        startAdminServer(admin, {
          host: adminAddr.host,
          port: adminAddr.port,
          token: adminTokenFromEnv(o.env),
          onRefused: (reason) => metrics.adminRefused(reason),
          onError: (err, route) => logger.error({ err, route }, 'admin handler failed'),
        }),
      );
      servers.push(s);
      adminUrl = s.url;
    }
    if (statsAddr) {
      const s = await listening('stats server', 'statsAddr', 'STATS_ADDR', statsAddr, () =>
        startStatsServer(metrics, statsAddr),
      );
      servers.push(s);
      statsUrl = s.url;
    }
    if (readinessAddr) {
      const s = await listening('readiness server', 'readinessAddr', 'READINESS_ADDR', readinessAddr, () =>
        startReadinessServer(admin, readinessAddr),
      );
      servers.push(s);
      readinessUrl = s.url;
    }
    if (o.clusterWorker) {
      // Constructing one installs prom-client's worker-side listener that answers the primary.
      new AggregatorRegistry();
      AggregatorRegistry.setRegistries([metrics.registry]);
      const stopReporting = reportReadiness(() => admin.ready());
      servers.push({ close: async () => stopReporting() });
    }
    if (o.watch ?? o.input.file !== undefined) {
      if (o.input.file) {
        watcher = new ConfigWatcher({
          configFile: o.input.file,
          dependencies: () => gateway.snapshot.dependencies,
          reload: () => gateway.reload(),
        });
        await watcher.start();
      }
    }
    return { gateway, adminUrl, statsUrl, readinessUrl, watcher, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
