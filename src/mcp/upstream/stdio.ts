import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import { UpstreamError } from '../../errors/upstream.js';
import type { McpTelemetry } from '../../telemetry/hooks.js';
import { parseMessage } from './rpc-client.js';
import { LineSplitter } from './lines.js';
import { killGroup, type ProcessGroups } from './process-groups.js';
import type { Upstream } from './upstream.js';

export interface StdioUpstreamOptions {
  readonly target: string;
  readonly cmd: string;
  readonly args: readonly string[];
  /** The child's whole environment (the factory builds it: PATH, HOME and the target's `env`). */
  readonly env: Readonly<Record<string, string>>;
  readonly logger: Logger;
  readonly telemetry: McpTelemetry;
  readonly groups: ProcessGroups;
  /** Time between SIGTERM and SIGKILL to the process group. */
  readonly killGraceMs: number;
  /** Longest stdout line (one JSON-RPC message) accepted. */
  readonly maxMessageBytes: number;
  /** Told when the child started, could not start, or exited on its own (target health). */
  readonly onState?: ((e: UpstreamState) => void) | undefined;
}

/** What a stdio upstream reports about its child: running, or down with the reason. */
export type UpstreamState = { readonly up: true } | { readonly up: false; readonly error: UpstreamError };

const MAX_STDERR_LINE = 4096;
/** After the child exits, how long to wait for its stdout to drain before reporting the close. */
const DRAIN_AFTER_EXIT_MS = 200;

/**
 * An MCP server run as a child process speaking newline-delimited JSON-RPC on stdin/stdout.
 * Own spawn rather than the SDK's StdioClientTransport: the environment is not inherited, and the child
 * leads its own process group so `close()` can kill it together with anything it started.
 */
export class StdioUpstream implements Upstream {
  readonly kind = 'stdio' as const;
  readonly target: string;
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: (reason?: Error) => void;
  onerror?: (error: Error) => void;

  readonly #opts: StdioUpstreamOptions;
  readonly #log: Logger;
  #child: ChildProcessWithoutNullStreams | undefined;
  #state: 'new' | 'starting' | 'running' | 'closing' | 'closed' = 'new';
  #exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  #finished = false;
  /** stdin is corked until the end of this tick: the messages of one tick go out in one write. */
  #corked = false;
  readonly #exited: Promise<void>;
  #resolveExited!: () => void;

  constructor(opts: StdioUpstreamOptions) {
    this.#opts = opts;
    this.target = opts.target;
    this.#log = opts.logger;
    this.#exited = new Promise((resolve) => (this.#resolveExited = resolve));
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  start(): Promise<void> {
    if (this.#state !== 'new') return Promise.reject(new Error(`target "${this.target}" already started`));
    this.#state = 'starting';
    const { cmd, args, env } = this.#opts;
    return new Promise<void>((resolve, reject) => {
      let child: ChildProcessWithoutNullStreams;
      try {
        child = spawn(cmd, [...args], { env: { ...env }, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
      } catch (err) {
        this.#state = 'closed';
        this.#resolveExited();
        reject(spawnError(this.target, cmd, err));
        return;
      }
      this.#child = child;
      child.once('spawn', () => {
        const pid = child.pid!;
        this.#opts.groups.add(pid);
        this.#opts.telemetry.childSpawned(this.target);
        this.#opts.onState?.({ up: true });
        this.#log.debug({ target: this.target, pid, cmd }, 'stdio target started');
        if (this.#state === 'starting') this.#state = 'running';
        else if (this.#state === 'closing') this.#terminate(child, pid);
        resolve();
      });
      child.on('error', (err) => {
        if (this.#state === 'starting' && child.pid === undefined) {
          this.#state = 'closed';
          this.#finished = true;
          this.#resolveExited();
          const e = spawnError(this.target, cmd, err);
          this.#opts.onState?.({ up: false, error: e });
          reject(e);
          return;
        }
        this.#log.warn({ target: this.target, err: err.message }, 'stdio target process error');
      });

      const out = new LineSplitter(
        (line) => this.#onStdoutLine(line),
        this.#opts.maxMessageBytes,
        (bytes) => this.#log.error({ target: this.target, bytes }, 'stdio target message too large; dropped'),
      );
      const err = new LineSplitter(
        (line) => this.#onStderrLine(line),
        1024 * 1024,
        () => undefined,
      );
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stdout.on('end', () => out.flush());
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      child.stderr.on('end', () => err.flush());
      // EPIPE when the child is gone: the exit handler reports it, nothing to throw here.
      child.stdin.on('error', (e) =>
        this.#log.debug({ target: this.target, err: e.message }, 'stdin closed'),
      );
      child.stdout.on('error', () => undefined);
      child.stderr.on('error', () => undefined);

      child.once('exit', (code, signal) => {
        this.#exitInfo = { code, signal };
        // Give stdout a moment to deliver what the child wrote last; 'close' usually comes first.
        setTimeout(() => this.#finish(), DRAIN_AFTER_EXIT_MS).unref();
      });
      child.once('close', () => {
        if (this.#exitInfo) this.#finish();
      });
    });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const child = this.#child;
    if (this.#state !== 'running' || !child)
      throw new UpstreamError('UPSTREAM_CLOSED', this.target, 'not running');
    const line = JSON.stringify(message) + '\n';
    const stdin = child.stdin;
    if (!this.#corked) {
      this.#corked = true;
      stdin.cork();
      process.nextTick(() => {
        this.#corked = false;
        stdin.uncork();
      });
    }
    await new Promise<void>((resolve, reject) => {
      stdin.write(line, (err) =>
        err
          ? reject(
              new UpstreamError('UPSTREAM_CLOSED', this.target, 'not running (stdin closed)', { cause: err }),
            )
          : resolve(),
      );
    });
  }

  async close(): Promise<void> {
    if (this.#state === 'closed' || this.#state === 'new') {
      this.#state = 'closed';
      return;
    }
    if (this.#state !== 'closing') {
      this.#state = 'closing';
      const child = this.#child;
      // Still starting: the 'spawn' handler terminates it as soon as it has a pid.
      if (child?.pid !== undefined && !this.#exitInfo) this.#terminate(child, child.pid);
    }
    await this.#exited;
  }

  /** End stdin, SIGTERM the group, SIGKILL it after the grace period unless it is already empty. */
  #terminate(child: ChildProcessWithoutNullStreams, pid: number): void {
    child.stdin.end();
    killGroup(pid, 'SIGTERM');
    // Not unref'd: the escalation must happen even if nothing else keeps the loop alive.
    const timer = setTimeout(() => {
      killGroup(pid, 'SIGKILL');
      this.#opts.groups.delete(pid);
    }, this.#opts.killGraceMs);
    void this.#exited.then(() => {
      if (!killGroup(pid, 0)) {
        clearTimeout(timer);
        this.#opts.groups.delete(pid);
      }
    });
  }

  #onStdoutLine(line: string): void {
    if (line.trim() === '') return;
    let message: JSONRPCMessage | undefined;
    try {
      message = parseMessage(line);
    } catch {
      message = undefined;
    }
    if (!message) {
      this.#log.warn(
        { target: this.target, line: line.slice(0, 200) },
        'stdio target wrote a non-JSON-RPC line',
      );
      return;
    }
    try {
      this.onmessage?.(message);
    } catch (err) {
      this.#log.error({ target: this.target, err }, 'onmessage handler failed');
    }
  }

  #onStderrLine(line: string): void {
    if (line === '') return;
    const text = line.length > MAX_STDERR_LINE ? line.slice(0, MAX_STDERR_LINE) + '…' : line;
    this.#log.info({ target: this.target, pid: this.#child?.pid, stream: 'stderr' }, text);
  }

  /** Once, after the child exited: reap the rest of its group, report the close. */
  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    const closedByUs = this.#state === 'closing';
    this.#state = 'closed';
    const pid = this.#child?.pid;
    if (pid !== undefined) this.#reapGroup(pid, closedByUs);
    this.#opts.telemetry.childExited(this.target);
    const reason = closedByUs
      ? undefined
      : new UpstreamError('UPSTREAM_CLOSED', this.target, exitDetail(this.#exitInfo));
    if (reason) this.#log.warn({ target: this.target, pid }, reason.message);
    if (reason) this.#opts.onState?.({ up: false, error: reason });
    else this.#log.debug({ target: this.target, pid }, 'stdio target stopped');
    this.#resolveExited();
    this.onclose?.(reason);
  }

  /** The leader is gone; members it left behind get SIGTERM now and SIGKILL after the grace period. */
  #reapGroup(pid: number, alreadySignalled: boolean): void {
    const groups = this.#opts.groups;
    if (!alreadySignalled && !killGroup(pid, 'SIGTERM')) {
      groups.delete(pid);
      return;
    }
    if (alreadySignalled) return; // close() owns the SIGKILL escalation timer
    setTimeout(() => {
      killGroup(pid, 'SIGKILL');
      groups.delete(pid);
    }, this.#opts.killGraceMs).unref();
  }
}

function exitDetail(info: { code: number | null; signal: NodeJS.Signals | null } | undefined): string {
  if (info?.signal) return `was killed by ${info.signal}`;
  if (info?.code !== null && info?.code !== undefined) return `exited with code ${info.code}`;
  return 'exited';
}

function spawnError(target: string, cmd: string, err: unknown): UpstreamError {
  const code = (err as { code?: unknown })?.code;
  const why =
    code === 'ENOENT'
      ? 'command not found'
      : code === 'EACCES'
        ? 'permission denied'
        : err instanceof Error
          ? err.message
          : String(err);
  return new UpstreamError(
    'UPSTREAM_SPAWN_FAILED',
    target,
    `cannot start "${cmd}": ${why}${typeof code === 'string' ? ` (${code})` : ''}`,
    { cause: err },
  );
}
