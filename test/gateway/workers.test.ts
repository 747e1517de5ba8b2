/**
 * `portcullis --workers 2` (the real binary, node:cluster): both workers serve the same port, the
 * primary aggregates metrics and answers readiness for all of them, a worker that dies is started again
 * (readiness names it meanwhile), admin is served once, and SIGTERM drains and exits 0.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { serveHttp, type ServedFixture } from '../fixtures/serve.js';
import { createSeedServer } from '../fixtures/seed-server.js';

const BIN = resolve('bin/portcullis.js');

async function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => ok(p));
    });
  });
}

async function until<T>(
  f: () => Promise<T | undefined> | T | undefined,
  what: string,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const childPids = (pid: number): number[] =>
  execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => n > 0);

describe('--workers 2', () => {
  let upstream: ServedFixture;
  let gw: ChildProcess;
  let stderr = '';
  let port = 0;
  let stats = '';
  let ready = '';

  before(async () => {
    upstream = await serveHttp(() => createSeedServer());
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-workers-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(
      file,
      `binds:\n- port: 0\n  listeners:\n  - routes:\n    - backends:\n      - mcp:\n          statefulMode: stateless\n          targets:\n          - name: seed\n            mcp: {host: "${upstream.url}"}\n`,
    );
    const [statsPort, readyPort] = [await freePort(), await freePort()];
    stats = `http://127.0.0.1:${statsPort}`;
    ready = `http://127.0.0.1:${readyPort}/healthz/ready`;
    gw = spawn(process.execPath, [BIN, '-f', file, '--workers', '2'], {
      env: {
        ...process.env,
        ADMIN_ADDR: '127.0.0.1:0',
        STATS_ADDR: `127.0.0.1:${statsPort}`,
        READINESS_ADDR: `127.0.0.1:${readyPort}`,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    gw.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    port = await until(() => {
      const m = /listening +http:\/\/\S+:(\d+)/.exec(stderr);
      return m ? Number(m[1]) : undefined;
    }, `the banner:\n${stderr}`);
  });
  after(async () => {
    if (gw && gw.exitCode === null) gw.kill('SIGKILL');
    await upstream?.close();
  });

  test('two workers, one banner, one admin server; ready once both are', async () => {
    await until(async () => ((await fetch(ready)).status === 200 ? true : undefined), 'readiness');
    assert.equal(childPids(gw.pid!).length, 2);
    assert.equal(stderr.match(/listening +http/g)?.length, 1, 'worker 0 prints the banner');
    assert.equal(stderr.match(/admin UI +http/g)?.length, 1, 'admin is served once');
  });

  test('requests on fresh connections are served, and the metrics are the sum over the workers', async () => {
    for (let i = 0; i < 20; i++) {
      const client = new Client({ name: `w${i}`, version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)));
      const r = await client.callTool({ name: 'add', arguments: { a: i, b: 1 } });
      assert.match(JSON.stringify(r.content), new RegExp(`\\b${i + 1}\\b`));
      await client.close();
    }
    const text = await (await fetch(`${stats}/metrics`)).text();
    const build = /^portcullis_build_info\{[^}]*\} (\d+)/m.exec(text);
    assert.equal(build?.[1], '2', `one build_info per worker, summed by the primary:\n${text.slice(0, 800)}`);
    const total = [...text.matchAll(/^portcullis_requests_total\{[^}]*\} (\d+)/gm)].reduce(
      (n, m) => n + Number(m[1]),
      0,
    );
    assert.ok(total >= 20, `aggregated requests_total ${total}`);
  });

  test('a worker that dies is started again; readiness names it until then', async () => {
    const [victim] = childPids(gw.pid!);
    process.kill(victim!, 'SIGKILL');
    const body = await until(async () => {
      const r = await fetch(ready);
      return r.status === 503 ? r.text() : undefined;
    }, 'readiness to notice');
    assert.match(body, /worker \d/);
    await until(async () => ((await fetch(ready)).status === 200 ? true : undefined), 'the restarted worker');
    const pids = childPids(gw.pid!);
    assert.equal(pids.length, 2);
    assert.ok(!pids.includes(victim!));
  });

  test('SIGTERM drains every worker and exits 0', async () => {
    const exited = new Promise<number | null>((ok) => gw.once('exit', (c) => ok(c)));
    gw.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});
