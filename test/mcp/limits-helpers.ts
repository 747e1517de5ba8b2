/** Shared by the limits, backpressure and identity-isolation tests: a stdio fixture, process and metric counts. */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { ACCEPT_BOTH, INIT } from './raw.js';

export const LIMITS_SERVER = fileURLToPath(new URL('./limits-stdio-server.mjs', import.meta.url));

/** A unique tag for one test's processes, and the YAML `stdio:` value that runs the fixture with it. */
export function stdioTarget(extraArgs: readonly string[] = []): { tag: string; stdio: string } {
  const tag = `limits-${randomUUID()}`;
  const args = [LIMITS_SERVER, '--tag', tag, ...extraArgs];
  return { tag, stdio: `{ cmd: ${JSON.stringify(process.execPath)}, args: ${JSON.stringify(args)} }` };
}

/** Live processes whose command line carries `tag` (zombies have lost theirs). */
export function countProcs(tag: string): number {
  const out = execFileSync('ps', ['-eo', 'stat=,args='], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(tag) && !l.trimStart().startsWith('Z')).length;
}

/** Polls `check` until it returns true or `ms` pass; returns its last value. */
export async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One sample of a Prometheus metric (labels matched exactly on the given keys); 0 when absent. */
export async function metric(
  statsUrl: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${statsUrl}/metrics`)).text();
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    if (line.startsWith(name + ' ') && Object.keys(labels).length === 0)
      return Number(line.slice(name.length + 1));
    if (!line.startsWith(name + '{')) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf('}'));
    const got = Object.fromEntries([...body.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

export function initBody(id: number | string = 1): typeof INIT {
  return { ...INIT, id: id as number };
}

export function call(id: number, name: string, args: Record<string, unknown> = {}): Record<string, unknown> {
  return { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } };
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** Another loopback source address is another anonymous caller. */
export const OTHER = '127.0.0.2';

export async function send(
  url: string,
  method: string,
  body: string | undefined,
  headers: Record<string, string>,
  localAddress = '127.0.0.1',
): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString(),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  localAddress?: string,
): Promise<Reply> {
  const r = await send(
    url,
    'POST',
    JSON.stringify(body),
    { 'content-type': 'application/json', accept: ACCEPT_BOTH, ...headers },
    localAddress,
  );
  const text = r.text;
  const json = text.startsWith('{')
    ? text
    : (text.split('\n').findLast((l) => l.startsWith('data: ')) ?? '').slice(6);
  return {
    status: r.status,
    headers: r.headers,
    body: (json ? JSON.parse(json) : {}) as Record<string, unknown>,
  };
}

export async function del(url: string, session: string): Promise<number> {
  return (await send(url, 'DELETE', undefined, { 'mcp-session-id': session })).status;
}
