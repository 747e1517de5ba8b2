/**
 * Two `portcullis` processes (the built CLI, one PORTCULLIS_SESSION_KEY) behind a real nginx with a
 * round-robin upstream, in front of one real Streamable HTTP MCP server. An SDK client's session moves
 * between the replicas request by request: tools/call, the GET stream (a server notification reaches the
 * client), DELETE. One replica is killed (SIGKILL) mid-run and the same session goes on through the
 * survivor without a new initialize. A session with a stdio target cannot move: after its replica died
 * the survivor answers 404 and the SDK client starts a new session.
 *
 * Needs nginx (Debian package, /usr/sbin/nginx) and the built CLI (`node scripts/build-cli.mjs`).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { eventually } from '../helpers/gateway.js';
import { scrape } from '../helpers/metrics.js';
import { serveHttp, type ServedFixture } from '../fixtures/serve.js';
import { fixturePath } from '../fixtures/spawn.js';
import { openSession, rpc } from '../e2e/helpers.js';

const NGINX = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
const CLI = resolve('bin/portcullis.js');
const skip = !NGINX
  ? 'nginx is not installed'
  : !existsSync(resolve('dist/cli/main.js'))
    ? 'the CLI is not built (node scripts/build-cli.mjs)'
    : false;

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

/** The upstream: `echo`, and `announce`, which sends tools/list_changed on the session's GET stream. */
function upstreamServer(): McpServer {
  const mcp = new McpServer({ name: 'replicated-upstream', version: '1.0.0' });
  mcp.registerTool('echo', { inputSchema: { message: z.string() } }, async ({ message }) => ({
    content: [{ type: 'text', text: `Echo: ${message}` }],
  }));
  mcp.registerTool('announce', {}, async () => {
    // Outside the request: the notification belongs to no request, so it travels on the GET stream.
    setTimeout(() => mcp.sendToolListChanged(), 20).unref();
    return { content: [{ type: 'text', text: 'announced' }] };
  });
  return mcp;
}

interface Replica {
  readonly name: string;
  readonly port: number;
  readonly statsUrl: string;
  readonly child: ChildProcess;
  output(): string;
}

async function startReplica(name: string, dir: string, yaml: string, key: string): Promise<Replica> {
  const port = await freePort();
  const stats = await freePort();
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, yaml.replace('PORT', String(port)));
  const child = spawn(process.execPath, [CLI, '-f', file], {
    env: {
      ...process.env,
      PORTCULLIS_SESSION_KEY: key,
      ADMIN_ADDR: '127.0.0.1:0',
      STATS_ADDR: `127.0.0.1:${stats}`,
      READINESS_ADDR: '127.0.0.1:0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await eventually(() => /listening +http:\/\/\S+:\d+/.test(out) || child.exitCode !== null, 20_000);
  if (child.exitCode !== null) throw new Error(`replica ${name} exited: ${out}`);
  return { name, port, statsUrl: `http://127.0.0.1:${stats}`, child, output: () => out };
}

function nginxConf(dir: string, listen: number, replicas: readonly Replica[]): string {
  return `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 256; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream portcullis {
${replicas.map((r) => `    server 127.0.0.1:${r.port} max_fails=1 fail_timeout=2s;`).join('\n')}
  }
  server {
    listen 127.0.0.1:${listen};
    location / {
      proxy_pass http://portcullis;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_read_timeout 1h;
      proxy_next_upstream error timeout http_502 http_503;
    }
  }
}
`;
}

const resumed = (r: Replica): Promise<number> =>
  scrape(r.statsUrl, 'portcullis_mcp_session_resume_total', { result: 'resumed' });

describe('two replicas behind nginx round-robin share sessions', { skip }, () => {
  let dir: string;
  let upstream: ServedFixture;
  let replicas: Replica[] = [];
  let nginx: ChildProcess | undefined;
  let url: string;
  /** A session with a stdio target, made directly on the replica that is killed later. */
  let pinned: { id: string; headers: Record<string, string> };
  const key = randomBytes(32).toString('base64');

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portcullis-replicas-'));
    upstream = await serveHttp(() => upstreamServer());
    const seed = fixturePath('seed-server.ts');
    // The replicas listen on different ports here (one machine): the listener's gatewayName keeps their
    // route backend keys equal, as the same config on the same port does in a real deployment.
    const yaml = `binds:
- port: PORT
  listeners:
  - gatewayName: replicated
    routes:
    - matches: [{path: {pathPrefix: /pinned}}]
      backends:
      - mcp:
          targets:
          - name: seed
            stdio: {cmd: "${process.execPath}", args: ["--import", "tsx", "${seed}", "--stdio"]}
    - backends:
      - mcp:
          targets:
          - name: up
            mcp: {host: "${upstream.url}"}
`;
    replicas = [await startReplica('a', dir, yaml, key), await startReplica('b', dir, yaml, key)];
    const listen = await freePort();
    writeFileSync(join(dir, 'nginx.conf'), nginxConf(dir, listen, replicas));
    nginx = spawn(NGINX!, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
    url = `http://127.0.0.1:${listen}`;
    await eventually(async () => (await fetch(`${url}/mcp`).catch(() => undefined)) !== undefined, 10_000);
  });

  after(async () => {
    nginx?.kill('SIGTERM');
    for (const r of replicas) if (r.child.exitCode === null) r.child.kill('SIGKILL');
    await upstream?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('tools/call, the GET stream and DELETE of one session through both replicas, then one dies', async () => {
    const client = new Client({ name: 'replicated', version: '1' });
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
      changed++;
    });
    const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
      reconnectionOptions: {
        initialReconnectionDelay: 100,
        maxReconnectionDelay: 500,
        reconnectionDelayGrowFactor: 1.5,
        maxRetries: 50,
      },
    });
    await client.connect(transport);
    const initializes = upstream.requests.filter((r) => r.rpcMethod === 'initialize').length;
    for (let i = 0; i < 6; i++) {
      const r = await client.callTool({ name: 'echo', arguments: { message: `m${i}` } });
      assert.deepEqual(r.content, [{ type: 'text', text: `Echo: m${i}` }]);
    }
    // Round-robin: the replica that did not create the session resumed it (once: then it is local).
    assert.equal((await resumed(replicas[0]!)) + (await resumed(replicas[1]!)), 1);
    // A server notification on the upstream's GET stream reaches the client, whichever replica holds it.
    await eventually(async () => {
      await client.callTool({ name: 'announce', arguments: {} });
      return changed > 0;
    }, 10_000);

    // One replica dies without a word; nginx sends everything to the survivor; the session goes on.
    const [victim, survivor] = replicas as [Replica, Replica];
    pinned = await openSession(`http://127.0.0.1:${victim.port}/pinned`);
    victim.child.kill('SIGKILL');
    await eventually(() => victim.child.exitCode !== null || victim.child.signalCode !== null, 5000);
    for (let i = 0; i < 4; i++) {
      const r = await client.callTool({ name: 'echo', arguments: { message: `after${i}` } });
      assert.deepEqual(r.content, [{ type: 'text', text: `Echo: after${i}` }]);
    }
    const before = changed;
    await eventually(async () => {
      await client.callTool({ name: 'announce', arguments: {} });
      return changed > before;
    }, 15_000);
    assert.equal(
      upstream.requests.filter((r) => r.rpcMethod === 'initialize').length,
      initializes,
      'no new upstream initialize: the session was never re-created',
    );

    // DELETE through the survivor ends the upstream session too.
    const sessionId = transport.sessionId!;
    const upstreamDeletes = (): number => upstream.requests.filter((r) => r.method === 'DELETE').length;
    const deletes = upstreamDeletes();
    await transport.terminateSession();
    assert.equal(upstreamDeletes(), deletes + 1);
    const after = await rpc(
      `${url}/mcp`,
      { jsonrpc: '2.0', id: 9, method: 'tools/list' },
      { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' },
    );
    assert.equal(after.status, 404);
    await client.close();
    assert.match(survivor.output(), /listening/);
  });

  test('a stdio session whose replica died is 404 on the survivor; the SDK client starts a new one', async () => {
    assert.ok(pinned, 'made by the previous test');
    const r404 = await rpc(`${url}/pinned`, { jsonrpc: '2.0', id: 3, method: 'tools/list' }, pinned.headers);
    assert.equal(r404.status, 404, r404.text);
    assert.equal((r404.message?.['error'] as { code?: number })?.code, -32001);
    const client = new Client({ name: 'again', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/pinned`)));
    const r = await client.callTool({ name: 'echo', arguments: { message: 'new' } });
    assert.deepEqual(r.content, [{ type: 'text', text: 'Echo: new' }]);
    await client.close();
    // Every request above went through nginx (its access log is the test's own witness).
    assert.match(readFileSync(join(dir, 'access.log'), 'utf8'), /"POST \/pinned HTTP\/1.1" 404/);
  });
});
