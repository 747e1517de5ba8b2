/**
 * Boots the whole gateway in-process from a YAML string, on port 0, with admin/stats/readiness on
 * 127.0.0.1:0 — the same wiring as the CLI (startPortcullis). Every gateway's log is kept in
 * `logs` and written to test-artifacts/logs/ (the token-leak test greps them).
 */
import { mkdirSync, mkdtempSync, writeFileSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startPortcullis, type Portcullis } from '../../src/app/run.js';
import { readConfigInput } from '../../src/config/load.js';
import type { DemoToken } from '../../src/admin/api.js';

export interface TestGateway {
  /** `http://127.0.0.1:<port>` of the first bind. */
  readonly url: string;
  readonly port: number;
  /** Base URL of each bind, in config order of opening. */
  readonly urls: readonly string[];
  readonly adminUrl: string;
  readonly statsUrl: string;
  readonly readinessUrl: string;
  readonly configFile: string;
  readonly dir: string;
  /** Parsed JSON log records so far. */
  readonly logs: Record<string, unknown>[];
  readonly portcullis: Portcullis;
  /** Overwrite the config file (the watcher reloads it). */
  writeConfig(yaml: string): void;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly env?: Record<string, string | undefined>;
  readonly watch?: boolean;
  readonly logLevel?: string;
  /** Extra files to write next to the config (name → content). */
  readonly files?: Record<string, string>;
  /** Name for the log file in test-artifacts/logs. */
  readonly name?: string;
  /** Tokens the admin API offers the Playground (the quickstart's demo tokens). */
  readonly demoTokens?: readonly DemoToken[];
}

const LOG_DIR = join(process.cwd(), 'test-artifacts', 'logs');
let counter = 0;

export async function startGateway(yaml: string, opts: StartOptions = {}): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-test-'));
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, yaml);
  for (const [name, content] of Object.entries(opts.files ?? {})) writeFileSync(join(dir, name), content);
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = join(LOG_DIR, `${opts.name ?? 'gateway'}-${process.pid}-${++counter}.log`);
  const logs: Record<string, unknown>[] = [];
  const dest = new Writable({
    write(chunk: Buffer, _enc, cb) {
      const text = chunk.toString();
      appendFileSync(logFile, text);
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        try {
          logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          logs.push({ raw: line });
        }
      }
      cb();
    },
  });
  const loopback = { host: '127.0.0.1', port: 0 };
  const portcullis = await startPortcullis({
    input: await readConfigInput({ file: configFile }),
    env: { ...process.env, ...opts.env },
    watch: opts.watch ?? false,
    logDestination: dest,
    logLevel: opts.logLevel ?? 'debug',
    adminAddr: loopback,
    statsAddr: loopback,
    readinessAddr: loopback,
    onQuit: () => {},
    ...(opts.demoTokens ? { demoTokens: opts.demoTokens } : {}),
  });
  const addrs = portcullis.gateway.addresses();
  const urls = addrs.map((a) => `http://127.0.0.1:${a.port}`);
  let stopped = false;
  return {
    url: urls[0] ?? '',
    port: addrs[0]?.port ?? 0,
    urls,
    adminUrl: portcullis.adminUrl ?? '',
    statsUrl: portcullis.statsUrl ?? '',
    readinessUrl: portcullis.readinessUrl ?? '',
    configFile,
    dir,
    logs,
    portcullis,
    writeConfig(y: string) {
      writeFileSync(configFile, y);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await portcullis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Poll `fn` until it returns a truthy value or the deadline passes (never a sleep-as-assertion). */
export async function eventually<T>(
  fn: () => T | Promise<T>,
  timeoutMs = 5000,
  stepMs = 25,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
