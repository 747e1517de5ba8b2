/**
 * The gateway under test: the same wiring as the CLI (`startPortcullis`), from a config file, with the
 * admin/stats/readiness servers off and log lines (the access log included: they are part of the
 * per-request cost) written to /dev/null. In-process (`bootGateway`) or as its own process:
 *
 *   node --import tsx bench/lib/gateway-server.ts <config.yaml> [--log-level info] [--log-file f]
 */
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { startPortcullis } from '../../src/app/run.js';
import { readConfigInput } from '../../src/config/load.js';
import { arg } from './stats.js';
import { isEntry, serveParent } from './child.js';

export interface BenchGateway {
  /** `http://127.0.0.1:<port>` of the first bind. */
  readonly url: string;
  /** Re-read the config file and swap the snapshot; resolves with the time it took, ms. */
  reload(): Promise<number>;
  stop(): Promise<void>;
}

export async function bootGateway(
  file: string,
  logLevel = 'info',
  logFile = '/dev/null',
): Promise<BenchGateway> {
  const portcullis = await startPortcullis({
    input: await readConfigInput({ file }),
    env: process.env,
    watch: false,
    logDestination: pino.destination({ dest: logFile, sync: false }),
    logLevel,
    adminAddr: false,
    statsAddr: false,
    readinessAddr: false,
    onQuit: () => {},
  });
  const port = portcullis.gateway.addresses()[0]?.port;
  return {
    url: `http://127.0.0.1:${port}`,
    reload: async () => {
      const t0 = performance.now();
      const status = await portcullis.gateway.reload();
      const ms = performance.now() - t0;
      if (!status.ok) throw new Error(`reload failed: ${JSON.stringify(status).slice(0, 300)}`);
      return ms;
    },
    stop: () => portcullis.stop(),
  };
}

if (isEntry(import.meta.url)) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: gateway-server.ts <config.yaml> [--log-level level] [--log-file file]');
  const gw = await bootGateway(file, arg(process.argv, '--log-level'), arg(process.argv, '--log-file'));
  serveParent(gw.url, gw.stop, { reload: gw.reload });
}
