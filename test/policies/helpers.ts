/** Shared test scaffolding for policy tests: a recording BuildContext and a real HTTP server on port 0. */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import type { ConfigPath } from '../../src/config/types.js';
import type { BuildContext } from '../../src/contracts/build-context.js';
import type { Identity, RequestContext } from '../../src/contracts/request-context.js';
import { createRequestContext } from '../../src/server/request-context.js';

export interface RecordingBuildContext extends BuildContext {
  readonly warnings: string[];
}

/** Errors read `<path>: <message>` so tests can assert which field was blamed. */
export function buildContext(): RecordingBuildContext {
  const warnings: string[] = [];
  const where = (at: ConfigPath): string => at.join('.');
  return {
    warnings,
    readFile: () => {
      throw new Error('readFile is not used by these policies');
    },
    error: (at, message) => new Error(`${where(at)}: ${message}`),
    locate: (at) => where(at),
    warn: (at, message) => void warnings.push(`${where(at)}: ${message}`),
  };
}

export const AT: ConfigPath = ['binds', 0, 'listeners', 0, 'routes', 0, 'policies', 'x'];

/** `ctx.error` message for a field under AT. */
export function located(field: (string | number)[], message: string | RegExp): RegExp {
  const prefix = [...AT, ...field].join('.').replace(/[.[\]]/g, '\\$&');
  const tail = typeof message === 'string' ? message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : message.source;
  return new RegExp(`${prefix}: .*${tail}`);
}

export function identity(sub: string | undefined, claims: Record<string, unknown> = {}): Identity {
  const all = sub === undefined ? claims : { sub, ...claims };
  return { claims: all, celClaims: all, sub, issuer: 'https://issuer.test', rawToken: 'token' };
}

/**
 * Start a server on 127.0.0.1:0 whose handler receives a real RequestContext. `cleanup` registers the
 * close (`(fn) => t.after(fn)` in a test, node:test's `after` in a suite).
 */
export async function serve(
  cleanup: (fn: () => Promise<void>) => void,
  handler: (ctx: RequestContext) => void | Promise<void>,
): Promise<string> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const ctx = createRequestContext(req, res, 'http');
    Promise.resolve(handler(ctx)).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** One request with exactly the given method and headers (fetch would add or forbid some). */
export function send(
  url: string,
  opts: { method?: string; headers?: Record<string, string | string[]> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: opts.method ?? 'GET', headers: opts.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** `serve` cleanup for one test. */
export const afterTest =
  (t: TestContext) =>
  (fn: () => Promise<void>): void => {
    t.after(fn);
  };
