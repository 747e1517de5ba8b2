/**
 * Drives the MCP service the way the pipeline does — a real node:http listener that builds a
 * RequestContext and calls `service.handle` — with real upstreams from `createUpstreamFactory`.
 * Identity comes from test headers (`x-test-sub`, `x-test-iss`) so session binding and authorization can
 * be exercised without the JWT policy.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import { Writable } from 'node:stream';
import type { NormalizedMcpBackend, NormalizedTarget } from '../../src/config/types.js';
import { ALL_OR_NOTHING, type TestAuthorizer } from './authorizers.js';
import { createMcpService } from '../../src/mcp/service.js';
import type { McpService, RuntimeMcpBackend } from '../../src/mcp/backend.js';
import { createUpstreamFactory, type PortcullisUpstreamFactory } from '../../src/mcp/upstream/factory.js';
import type { Identity } from '../../src/contracts/request-context.js';
import { createRequestContext } from '../../src/server/request-context.js';
import { compileMcpBackend } from '../../src/runtime/mcp-backend.js';
import type { McpRequestEvent, McpTelemetry } from '../../src/telemetry/hooks.js';

const require = createRequire(import.meta.url);
export const EVERYTHING = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');
export const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;

export function target(
  name: string,
  spec: Partial<NormalizedTarget> & Pick<NormalizedTarget, 'kind'>,
): NormalizedTarget {
  return {
    name,
    tools: undefined,
    connectTimeoutMs: 10_000,
    requestTimeoutMs: 30_000,
    at: [],
    ...spec,
  } as NormalizedTarget;
}

/** server-everything over stdio (one child per session). */
export function everythingStdio(name: string, extra: Partial<NormalizedTarget> = {}): NormalizedTarget {
  return target(name, {
    kind: 'stdio',
    cmd: process.execPath,
    args: [EVERYTHING, 'stdio'],
    env: {},
    ...extra,
  } as NormalizedTarget);
}

/** A test/fixtures server over stdio, run through tsx. */
export function fixtureStdio(
  name: string,
  file: string,
  extra: Partial<NormalizedTarget> = {},
): NormalizedTarget {
  return target(name, {
    kind: 'stdio',
    cmd: process.execPath,
    args: ['--import', 'tsx', FIXTURES + file, '--stdio'],
    env: {},
    ...extra,
  } as NormalizedTarget);
}

export function httpTarget(
  name: string,
  url: string,
  extra: Partial<NormalizedTarget> = {},
): NormalizedTarget {
  return target(name, { kind: 'mcp', url, ...extra } as NormalizedTarget);
}

export function sseTarget(
  name: string,
  url: string,
  extra: Partial<NormalizedTarget> = {},
): NormalizedTarget {
  return target(name, { kind: 'sse', url, ...extra } as NormalizedTarget);
}

export interface HarnessOptions {
  readonly targets: readonly NormalizedTarget[];
  readonly config?: Partial<NormalizedMcpBackend>;
  readonly authorizer?: TestAuthorizer;
  readonly dnsRebindingProtection?: boolean;
  readonly sessionTtlMs?: number;
  readonly backendKey?: string;
  /** Route path prefix under which the backend is mounted (the dispatcher ignores it). */
  readonly backendRequestTimeoutMs?: number;
}

export interface Harness {
  /** Base URL, e.g. http://127.0.0.1:1234 — any path reaches the backend. */
  readonly url: string;
  readonly service: McpService;
  readonly upstreams: PortcullisUpstreamFactory;
  backend: RuntimeMcpBackend;
  readonly events: McpRequestEvent[];
  readonly logs: Record<string, unknown>[];
  /** The access-log fields of every finished request. */
  readonly access: Record<string, unknown>[];
  close(): Promise<void>;
}

export function backendOf(opts: HarnessOptions): RuntimeMcpBackend {
  const config: NormalizedMcpBackend = {
    kind: 'mcp',
    name: 'test',
    targets: opts.targets,
    statefulMode: 'stateful',
    prefixMode: 'conditional',
    failureMode: 'failClosed',
    dnsRebindingProtection: opts.dnsRebindingProtection,
    sessionIdleTtlMs: 0,
    maxBodyBytes: 0,
    at: [],
    ...opts.config,
  } as NormalizedMcpBackend;
  return compileMcpBackend(config, {
    key: opts.backendKey ?? `test/${opts.targets.map((t) => t.name).join(',')}`,
    authorizer: opts.authorizer ?? ALL_OR_NOTHING(true),
    backendAuth: undefined,
    backendTls: undefined,
    dnsRebindingProtection: opts.dnsRebindingProtection ?? false,
    retry: undefined,
  });
}

export function identity(sub: string, issuer = 'https://issuer.test'): Identity {
  return { claims: { sub, iss: issuer }, celClaims: { sub, iss: issuer }, sub, issuer, rawToken: '' };
}

export function captureLogger(logs: Record<string, unknown>[]): Logger {
  const dest = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n'))
        if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  return pino({ level: 'debug' }, dest);
}

export async function startHarness(opts: HarnessOptions): Promise<Harness> {
  const logs: Record<string, unknown>[] = [];
  const events: McpRequestEvent[] = [];
  const access: Record<string, unknown>[] = [];
  const logger = captureLogger(logs);
  const telemetry: McpTelemetry = {
    mcpRequest: (e) => events.push(e),
    upstreamCall() {},
    sessionOpened() {},
    sessionClosed() {},
    childSpawned() {},
    childExited() {},
  };
  const upstreams = createUpstreamFactory({ telemetry, killGraceMs: 500 });
  const service = createMcpService({
    logger,
    upstreams,
    telemetry,
    sessionTtlMs: opts.sessionTtlMs ?? 60_000,
  });
  const h = { backend: backendOf(opts) };
  const server: Server = createServer((req, res) => {
    const ctx = createRequestContext(req, res, 'http');
    const sub = req.headers['x-test-sub'];
    if (typeof sub === 'string')
      ctx.identity = identity(sub, (req.headers['x-test-iss'] as string | undefined) ?? undefined);
    ctx.backendRequestTimeoutMs = opts.backendRequestTimeoutMs;
    res.once('close', () => access.push({ ...ctx.log, 'http.status': res.statusCode }));
    service.handle(ctx, h.backend).catch((e: unknown) => {
      logs.push({ msg: 'handle threw', err: String(e) });
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    service,
    upstreams,
    get backend() {
      return h.backend;
    },
    set backend(b: RuntimeMcpBackend) {
      h.backend = b;
    },
    events,
    logs,
    access,
    async close() {
      await service.shutdown();
      await upstreams.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** server-everything as a child process over Streamable HTTP (`/mcp`) or SSE (`/sse`). */
export async function startEverythingHttp(
  mode: 'streamableHttp' | 'sse',
): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [EVERYTHING, mode], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (/listening|running/i.test(out)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server-everything exited (${code}): ${out}`)));
  });
  const path = mode === 'sse' ? '/sse' : '/mcp';
  return {
    url: `http://127.0.0.1:${port}${path}`,
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `check` until it is true or the deadline passes (never a sleep as an assertion). */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}
