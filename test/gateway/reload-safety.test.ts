/**
 * Every failed reload keeps the last good config serving, through each way in (file watcher, SIGHUP's
 * `gateway.reload()`, admin `POST /config`): empty files are refused, and binds are opened before the
 * swap, so an address or port that cannot be bound refuses the reload instead of closing the listener
 * and rejecting unhandled (which stopped the process). The failure is logged, counted and reported.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { readFileSync } from 'node:fs';
import { eventually, startGateway, type TestGateway } from '../helpers/gateway.js';
import { scrape } from '../helpers/metrics.js';

const config = (opts: { address?: string; body?: string; extraPort?: number } = {}) => `binds:
- port: 0
${opts.address ? `  address: "${opts.address}"\n` : ''}  listeners:
  - routes:
    - policies:
        directResponse: {status: 200, body: "${opts.body ?? 'v1'}"}
${
  opts.extraPort === undefined
    ? ''
    : `- port: ${opts.extraPort}
  listeners:
  - routes:
    - policies:
        directResponse: {status: 200, body: "extra"}
`
}`;

interface ReloadReport {
  ok: boolean;
  errors: { message: string }[];
}

const reloadReport = async (gw: TestGateway) =>
  (await (await fetch(`${gw.adminUrl}/api/reload`)).json()) as ReloadReport;

async function occupiedPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return { port: typeof addr === 'object' && addr ? addr.port : 0, server };
}

describe('reload safety: a failed reload keeps the previous config serving', () => {
  const gateways: TestGateway[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    await Promise.all(gateways.map((g) => g.stop()));
  });
  const start = async (yaml: string, watch = false) => {
    const gw = await startGateway(yaml, { watch, name: 'reload-safety' });
    gateways.push(gw);
    return gw;
  };

  for (const [name, text] of [
    ['an empty file', ''],
    ['a whitespace-only file', '  \n\n\t\n'],
    ['a comment-only file', '# nothing here yet\n---\n'],
  ] as const) {
    test(`${name} is refused with a clear error (watcher)`, async () => {
      const gw = await start(config(), true);
      const failures = await scrape(gw.statsUrl, 'portcullis_config_reload_total', { result: 'failure' });
      gw.writeConfig(text);
      const report = await eventually(async () => {
        const r = await reloadReport(gw);
        return r.ok ? undefined : r;
      }, 5000);
      assert.match(report.errors[0]!.message, /config file is empty; keeping the previous config/);
      assert.equal(await (await fetch(gw.url)).text(), 'v1');
      assert.equal(
        await scrape(gw.statsUrl, 'portcullis_config_reload_total', { result: 'failure' }),
        failures + 1,
      );
      assert.ok(gw.logs.some((l) => /config file is empty/.test(String(l.msg))));
    });
  }

  test('a bind address that cannot be bound: refused, the old listener keeps serving', async () => {
    const gw = await start(config());
    // 192.0.2.1 (TEST-NET-1) is never an address of this machine: EADDRNOTAVAIL.
    gw.writeConfig(config({ address: '192.0.2.1', body: 'v2' }));
    const status = await gw.portcullis.gateway.reload();
    assert.equal(status.ok, false);
    assert.match(
      status.errors[0]!.message,
      /bind 0 \(address 192\.0\.2\.1.*binds\[0\]\.address in .*config\.yaml\)/,
    );
    assert.equal(await (await fetch(gw.url)).text(), 'v1');
    const report = await reloadReport(gw);
    assert.equal(report.ok, false);
    // A fixed reload applies afterwards.
    gw.writeConfig(config({ body: 'v3' }));
    assert.equal((await gw.portcullis.gateway.reload()).ok, true);
    assert.equal(await (await fetch(gw.url)).text(), 'v3');
    assert.deepEqual(unhandled, []);
  });

  test('a new bind on a port another process holds: refused with what to change', async () => {
    const gw = await start(config());
    const taken = await occupiedPort();
    try {
      gw.writeConfig(config({ body: 'v2', extraPort: taken.port }));
      const status = await gw.portcullis.gateway.reload();
      assert.equal(status.ok, false);
      assert.match(
        status.errors[0]!.message,
        new RegExp(
          `bind 1 \\(port ${taken.port}, from binds\\[1\\]\\.port in .*config\\.yaml\\): address already in use — change the port or stop the other process`,
        ),
      );
      assert.equal(await (await fetch(gw.url)).text(), 'v1');
      assert.equal(gw.portcullis.gateway.addresses().length, 1);
    } finally {
      taken.server.close();
    }
    assert.deepEqual(unhandled, []);
  });

  test('a bind moved to another address on the same port is handed over', async () => {
    const free = await occupiedPort();
    await new Promise((r) => free.server.close(r));
    const fixed = (address: string, body: string) =>
      config({ address, body }).replace('port: 0', `port: ${free.port}`);
    const gw = await start(fixed('127.0.0.1', 'v1'));
    gw.writeConfig(fixed('::', 'v2'));
    const status = await gw.portcullis.gateway.reload();
    assert.equal(status.ok, true, JSON.stringify(status.errors));
    assert.equal(await (await fetch(`http://127.0.0.1:${free.port}/`)).text(), 'v2');
    assert.deepEqual(unhandled, []);
  });

  test('POST /config that cannot be applied: 409, the file keeps its previous text, old config serves', async () => {
    const gw = await start(config());
    const before = readFileSync(gw.configFile, 'utf8');
    const current = (await (await fetch(`${gw.adminUrl}/config`)).json()) as {
      binds: { address?: string }[];
    };
    current.binds[0]!.address = '192.0.2.1';
    const res = await fetch(`${gw.adminUrl}/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(current),
    });
    assert.equal(res.status, 409);
    assert.match(await res.text(), /config not applied: .*binds\[0\]\.address/);
    assert.equal(readFileSync(gw.configFile, 'utf8'), before);
    assert.equal(await (await fetch(gw.url)).text(), 'v1');
    assert.equal((await reloadReport(gw)).ok, false);
  });

  test('POST /config that applies is live when the request returns (no watcher needed)', async () => {
    const gw = await start(config());
    const current = (await (await fetch(`${gw.adminUrl}/config`)).json()) as {
      binds: { listeners: { routes: { policies: { directResponse: { body: string } } }[] }[] }[];
    };
    current.binds[0]!.listeners[0]!.routes[0]!.policies.directResponse.body = 'posted';
    const res = await fetch(`${gw.adminUrl}/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(current),
    });
    assert.equal(res.status, 200, await res.text());
    assert.equal(await (await fetch(gw.url)).text(), 'posted');
  });
});
