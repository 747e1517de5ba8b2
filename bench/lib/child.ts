/**
 * The upstream and the gateway each run in their own process, so the load generator (this process)
 * never shares an event loop with what it measures. Parent and child talk over the IPC channel: the
 * child says `ready` with its URL, answers `cpu` with its process.cpuUsage() and event-loop use (and
 * opens or closes a measured window of its PauseMonitor), answers `pauses` with a window's GC pauses and
 * event-loop delay, exits on `stop` or when the parent goes away (no orphans if a bench crashes).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PauseMonitor, type PauseSummary } from './pauses.js';

/** A measured window of the child's PauseMonitor, opened or closed with a `cpu` reading. */
export interface WindowMark {
  readonly key: string;
  readonly phase: 'begin' | 'end';
}

type ToChild =
  | { type: 'cpu'; id: number; window?: WindowMark }
  | { type: 'pauses'; id: number; key: string }
  | { type: 'call'; id: number; name: string }
  | { type: 'stop' };
type ToParent =
  | { type: 'ready'; url: string }
  | { type: 'cpu'; id: number; usage: CpuUsage }
  | { type: 'pauses'; id: number; summary: PauseSummary }
  | { type: 'called'; id: number; value: unknown; error?: string };

/** Named actions a child offers its parent (`Service.call`), e.g. the gateway's timed reload. */
export type Commands = Readonly<Record<string, () => Promise<unknown>>>;

/** process.cpuUsage() of the child (µs in user space and in the kernel), and its event-loop time (ms). */
export interface CpuUsage {
  readonly user: number;
  readonly system: number;
  /** performance.eventLoopUtilization(): time the loop ran callbacks vs waited for I/O, ms so far. */
  readonly loopActive: number;
  readonly loopIdle: number;
}

export interface Service {
  readonly url: string;
  readonly pid: number;
  /** CPU time (µs) and event-loop time (ms) the child has used so far; opens or closes a window. */
  cpu(window?: WindowMark): Promise<CpuUsage>;
  /** GC pauses and event-loop delay in the child over the windows of `key`. */
  pauses(key: string): Promise<PauseSummary>;
  /**
   * Run the child's command `name` (see `Commands`); `rss` (resident set, bytes), `memory`
   * (process.memoryUsage()), `gc` (a full garbage collection, then process.memoryUsage()) and
   * `heapsnapshot:<file>` (v8.writeHeapSnapshot) always exist.
   */
  call(name: string): Promise<unknown>;
  stop(): Promise<void>;
}

/** Fork `entry` (a .ts file, run through tsx) and wait for its `ready` message. */
export async function startService(
  entry: string,
  args: readonly string[],
  nodeFlags: readonly string[] = [],
  timeoutMs = 30_000,
): Promise<Service> {
  const child: ChildProcess = fork(entry, [...args], {
    execArgv: ['--import', 'tsx', ...nodeFlags],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry}: not ready after ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited (${code}) before it was ready`));
    });
    child.on('message', (m: ToParent) => {
      if (m.type !== 'ready') return;
      clearTimeout(timer);
      resolve(m.url);
    });
  }).catch((e: unknown) => {
    child.kill();
    throw e;
  });
  let next = 0;
  /** Send a question with a fresh id; resolve with the answer of the same type and id. */
  const ask = <T extends ToParent['type']>(
    question: ToChild & { id: number },
    type: T,
  ): Promise<Extract<ToParent, { type: T }>> =>
    new Promise((resolve) => {
      const onMessage = (m: ToParent): void => {
        if (m.type !== type || !('id' in m) || m.id !== question.id) return;
        child.off('message', onMessage);
        resolve(m as Extract<ToParent, { type: T }>);
      };
      child.on('message', onMessage);
      child.send(question);
    });
  return {
    url,
    pid: child.pid ?? 0,
    cpu: async (window) =>
      (await ask({ type: 'cpu', id: ++next, ...(window ? { window } : {}) }, 'cpu')).usage,
    pauses: async (key) => (await ask({ type: 'pauses', id: ++next, key }, 'pauses')).summary,
    call: async (name) => {
      const r = await ask({ type: 'call', id: ++next, name }, 'called');
      if (r.error !== undefined) throw new Error(`${entry} ${name}: ${r.error}`);
      return r.value;
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ type: 'stop' } satisfies ToChild);
      const hard = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(hard);
    },
  };
}

/** Child side: announce `url`, answer CPU and pause queries, run `close`; exit on `stop` or parent loss. */
export function serveParent(url: string, close: () => Promise<void>, commands: Commands = {}): void {
  const send = (m: ToParent): void => void process.send?.(m);
  const monitor = new PauseMonitor();
  let closing = false;
  const stop = (): void => {
    if (closing) return;
    closing = true;
    monitor.close();
    void close().finally(() => process.exit(0));
  };
  process.on('message', (m: ToChild) => {
    if (m.type === 'cpu') {
      if (m.window?.phase === 'end') monitor.end(m.window.key);
      const { user, system } = process.cpuUsage();
      const { active, idle } = performance.eventLoopUtilization();
      send({ type: 'cpu', id: m.id, usage: { user, system, loopActive: active, loopIdle: idle } });
      if (m.window?.phase === 'begin') monitor.begin(m.window.key);
    } else if (m.type === 'pauses') send({ type: 'pauses', id: m.id, summary: monitor.summary(m.key) });
    else if (m.type === 'call') {
      const run =
        m.name === 'rss'
          ? async () => process.memoryUsage.rss()
          : m.name === 'memory'
            ? async () => process.memoryUsage()
            : m.name === 'gc'
              ? async () => (fullGc(), process.memoryUsage())
              : m.name.startsWith('heapsnapshot:')
                ? async () => writeHeapSnapshot(m.name.slice('heapsnapshot:'.length))
                : commands[m.name];
      if (!run) send({ type: 'called', id: m.id, value: undefined, error: 'no such command' });
      else
        run().then(
          (value) => send({ type: 'called', id: m.id, value }),
          (e: unknown) => send({ type: 'called', id: m.id, value: undefined, error: String(e) }),
        );
    } else if (m.type === 'stop') stop();
  });
  process.on('disconnect', stop);
  send({ type: 'ready', url });
}

/** True when the module at `moduleUrl` is the process entry point. */
export function isEntry(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && fileURLToPath(moduleUrl) === resolve(entry);
}

/** A full, synchronous garbage collection without starting the child with --expose-gc. */
function fullGc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
