/**
 * Live reload: edits apply within 2 s; broken edits keep the old config serving and are
 * reported; nothing in flight fails during reloads; binds open and close; removed stdio targets end.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { join, resolve } from 'node:path';
import { eventually, startGateway, type TestGateway } from '../helpers/gateway.js';
import { connect, toolNames } from '../helpers/mcp-client.js';

const EVERYTHING = resolve('node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const PUB_KEY = resolve('test/fixtures/seed-jwt/pub-key');

function config(o: {
  rules: string[];
  extraBind?: number;
  jwks?: string;
  extra?: string;
  targets?: string;
}): string {
  const rules = o.rules.map((r) => `          - '${r}'`).join('\n');
  const targets =
    o.targets ??
    `          - name: everything
            stdio:
              cmd: node
              args: ["${EVERYTHING}", "stdio"]`;
  let y = `binds:
- port: 0
  listeners:
  - routes:
    - policies:
        jwtAuth:
          issuer: agentgateway.dev
          audiences: [test.agentgateway.dev]
          jwks:
            file: ${o.jwks ?? PUB_KEY}
        mcpAuthorization:
          rules:
${rules}
${o.extra ?? ''}
      backends:
      - mcp:
          targets:
${targets}
`;
  if (o.extraBind !== undefined) {
    y += `- port: ${o.extraBind}
  listeners:
  - routes:
    - policies:
        directResponse: {status: 200, body: "extra bind"}
`;
  }
  return y;
}

async function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => ok(p));
    });
  });
}

async function reloadMetric(gw: TestGateway, result: 'success' | 'failure'): Promise<number> {
  const text = await (await fetch(`${gw.statsUrl}/metrics`)).text();
  const m = text.match(new RegExp(`^portcullis_config_reload_total\\{result="${result}"\\} (\\d+)`, 'm'));
  return m ? Number(m[1]) : 0;
}

describe('config reload', () => {
  const gateways: TestGateway[] = [];
  after(async () => {
    for (const g of gateways) await g.stop();
  });

  test('an edited rule is effective within 2 s; existing sessions keep working', async () => {
    const gw = await startGateway(config({ rules: ['mcp.tool.name == "echo"'] }), {
      watch: true,
      name: 'reload-edit',
    });
    gateways.push(gw);
    const client = await connect(`${gw.url}/mcp`);
    assert.deepEqual(await toolNames(client), ['echo']);
    gw.writeConfig(config({ rules: ['mcp.tool.name == "echo"', 'mcp.tool.name == "get-sum"'] }));
    await eventually(async () => (await toolNames(client)).includes('get-sum'), 2000);
    assert.deepEqual(await toolNames(client), ['echo', 'get-sum']);
    const r = await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } });
    assert.match(JSON.stringify(r.content), /5/);
    await client.close();
  });

  const broken: [string, (good: string) => string, RegExp][] = [
    ['broken YAML', () => 'binds:\n- port: 0\n  listeners: [\n', /config\.yaml:4: .*YAML syntax error/],
    ['unknown key', (g) => g.replace('mcpAuthorization:', 'mcpAuthorisation:'), /mcpAuthorisation/],
    ['bad CEL', (g) => g.replace('mcp.tool.name == "echo"', 'mcp.tool.name == '), /mcpAuthorization/],
    ['missing JWKS file', (g) => g.replace(PUB_KEY, '/nonexistent/pub-key'), /nonexistent/],
  ];
  for (const [name, breakIt, want] of broken) {
    test(`${name}: the old config keeps serving and the error is reported`, async () => {
      const good = config({ rules: ['mcp.tool.name == "echo"'] });
      const gw = await startGateway(good, { watch: true, name: 'reload-broken' });
      gateways.push(gw);
      const before = await reloadMetric(gw, 'failure');
      gw.writeConfig(breakIt(good));
      const status = await eventually(async () => {
        const s = (await (await fetch(`${gw.adminUrl}/api/reload`)).json()) as {
          ok: boolean;
          errors: { message: string; file: string; line: number; path: string }[];
        };
        return s.ok ? undefined : s;
      }, 3000);
      const text = status.errors.map((e) => `${e.file}:${e.line}: ${e.path}: ${e.message}`).join('\n');
      assert.match(text, want);
      assert.ok(
        status.errors.every((e) => e.line > 0 && e.file.endsWith('config.yaml')),
        text,
      );
      assert.equal(await reloadMetric(gw, 'failure'), before + 1);
      // Still serving the old config.
      const client = await connect(`${gw.url}/mcp`);
      assert.deepEqual(await toolNames(client), ['echo']);
      await client.close();
    });
  }

  test('a bind added by a reload opens its port; removing it closes the port', async () => {
    const port = await freePort();
    const base = config({ rules: ['true'] });
    const gw = await startGateway(base, { watch: true, name: 'reload-bind' });
    gateways.push(gw);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/`));
    gw.writeConfig(config({ rules: ['true'], extraBind: port }));
    const body = await eventually(async () => (await fetch(`http://127.0.0.1:${port}/`)).text(), 3000);
    assert.equal(body, 'extra bind');
    gw.writeConfig(base);
    await eventually(async () => {
      try {
        await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(500) });
        return false;
      } catch {
        return true;
      }
    }, 3000);
  });

  test('removing a stdio target closes its sessions and ends the child', async () => {
    const gw = await startGateway(config({ rules: ['true'] }), { watch: true, name: 'reload-target' });
    gateways.push(gw);
    const client = await connect(`${gw.url}/mcp`);
    await client.listTools();
    const pids = gw.portcullis.gateway.mcp
      .sessions()
      .flatMap((s) => s.targets.map((t) => t.pid))
      .filter((p): p is number => typeof p === 'number');
    assert.ok(pids.length > 0, 'a stdio child runs');
    // Same route, different target set → the backend changed; its sessions are closed.
    gw.writeConfig(
      config({
        rules: ['true'],
        targets: `          - name: other
            stdio:
              cmd: node
              args: ["${EVERYTHING}", "stdio"]`,
      }),
    );
    await eventually(() => gw.portcullis.gateway.mcp.sessions().length === 0, 3000);
    await eventually(
      () =>
        pids.every((pid) => {
          try {
            process.kill(pid, 0);
            return false;
          } catch {
            return true;
          }
        }),
      3000,
    );
    // The old session id is gone: the client gets an error, not a hang.
    await assert.rejects(client.listTools());
    await client.close().catch(() => {});
  });

  test('a change to the static config: section is applied nowhere and reported as needing a restart', async () => {
    const base = config({ rules: ['true'] });
    const gw = await startGateway(base, { watch: true, name: 'reload-static' });
    gateways.push(gw);
    gw.writeConfig(`config:\n  logging: {level: debug}\n${base}`);
    const s = await eventually(async () => {
      const r = (await (await fetch(`${gw.adminUrl}/api/reload`)).json()) as {
        ok: boolean;
        restartRequired: string[];
      };
      return r.restartRequired.length ? r : undefined;
    }, 3000);
    assert.equal(s.ok, true);
    assert.deepEqual(s.restartRequired, ['config.logging']);
    assert.ok(gw.logs.some((l) => /restart required/.test(String(l.msg))));
  });

  test('POST /config validates, writes the file keeping comments, and the watcher applies it', async () => {
    const base = `# the team's notes: keep this comment\n${config({ rules: ['mcp.tool.name == "echo"'] })}`;
    const gw = await startGateway(base, { watch: true, name: 'reload-post-config' });
    gateways.push(gw);
    const current = (await (await fetch(`${gw.adminUrl}/config`)).json()) as {
      binds: { listeners: { routes: { policies: { mcpAuthorization: { rules: string[] } } }[] }[] }[];
    };
    const rules = current.binds[0]!.listeners[0]!.routes[0]!.policies.mcpAuthorization.rules;
    rules.push('mcp.tool.name == "get-sum"');
    const bad = structuredClone(current) as unknown as { binds: { port: unknown }[] };
    bad.binds[0]!.port = 'not-a-port';
    const refused = await fetch(`${gw.adminUrl}/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(bad),
    });
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /binds\[0\]\.port|binds\.0\.port/);
    const ok = await fetch(`${gw.adminUrl}/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(current),
    });
    assert.equal(ok.status, 200, await ok.text());
    const written = readFileSync(gw.configFile, 'utf8');
    assert.match(written, /# the team's notes: keep this comment/);
    assert.match(written, /get-sum/);
    const client = await connect(`${gw.url}/mcp`);
    await eventually(async () => (await toolNames(client)).includes('get-sum'), 3000);
    await client.close();
  });

  test('a change to a referenced file (the JWKS) reloads: tokens of the new key are accepted', async () => {
    const { exportJWK, generateKeyPair, SignJWT } = await import('jose');
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'rotated', alg: 'ES256' };
    const jwksFile = resolve(mkdtempSync(join(tmpdir(), 'portcullis-jwks-')), 'pub-key');
    writeFileSync(jwksFile, readFileSync(PUB_KEY));
    const gw = await startGateway(config({ rules: ['true'], jwks: jwksFile }), {
      watch: true,
      name: 'reload-dep',
    });
    gateways.push(gw);
    const token = await new SignJWT({ sub: 'rotated-user' })
      .setProtectedHeader({ alg: 'ES256', kid: 'rotated' })
      .setIssuer('agentgateway.dev')
      .setAudience('test.agentgateway.dev')
      .setExpirationTime('1h')
      .sign(privateKey);
    const ping = () =>
      fetch(`${gw.url}/mcp`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          authorization: `Bearer ${token}`,
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: {
            protocolVersion: '2025-06-18',
            capabilities: {},
            clientInfo: { name: 't', version: '1' },
          },
        }),
      });
    assert.equal((await ping()).status, 401, 'unknown key before the JWKS file changes');
    writeFileSync(jwksFile, JSON.stringify({ keys: [jwk] }));
    await eventually(async () => (await ping()).status === 200, 3000);
  });

  test('a Kubernetes ConfigMap-style symlink swap reloads', async () => {
    // ConfigMap layout: config.yaml → ..data/config.yaml, ..data → ..<timestamp>/ (swapped atomically).
    const root = mkdtempSync(join(tmpdir(), 'portcullis-cm-'));
    const v1 = join(root, '..2026_01'),
      v2 = join(root, '..2026_02');
    mkdirSync(v1);
    mkdirSync(v2);
    writeFileSync(join(v1, 'config.yaml'), config({ rules: ['mcp.tool.name == "echo"'] }));
    writeFileSync(
      join(v2, 'config.yaml'),
      config({ rules: ['mcp.tool.name == "echo"', 'mcp.tool.name == "get-sum"'] }),
    );
    symlinkSync('..2026_01', join(root, '..data'));
    symlinkSync('..data/config.yaml', join(root, 'config.yaml'));
    const { startPortcullis } = await import('../../src/app/run.js');
    const { readConfigInput } = await import('../../src/config/load.js');
    const loopback = { host: '127.0.0.1', port: 0 };
    const p = await startPortcullis({
      input: await readConfigInput({ file: join(root, 'config.yaml') }),
      env: process.env,
      watch: true,
      logLevel: 'warn',
      logDestination: new Writable({ write: (_c, _e, cb) => cb() }),
      adminAddr: loopback,
      statsAddr: false,
      readinessAddr: false,
    });
    try {
      const url = `http://127.0.0.1:${p.gateway.addresses()[0]!.port}/mcp`;
      const client = await connect(url);
      assert.deepEqual(await toolNames(client), ['echo']);
      // The swap: a new ..data link renamed over the old one.
      symlinkSync('..2026_02', join(root, '..data_tmp'));
      renameSync(join(root, '..data_tmp'), join(root, '..data'));
      await eventually(async () => (await toolNames(client)).includes('get-sum'), 3000);
      await client.close();
    } finally {
      await p.stop();
    }
  });

  test('atomic swap: body and header always come from the same config generation', async () => {
    const gen = (n: number) => `binds:
- port: 0
  listeners:
  - routes:
    - policies:
        responseHeaderModifier:
          set: {x-generation: "${n}"}
        directResponse: {status: 200, body: "${n}"}
`;
    const gw = await startGateway(gen(0), { watch: true, name: 'reload-atomic' });
    gateways.push(gw);
    const mismatches: string[] = [];
    let seen = new Set<string>();
    let running = true;
    const loop = (async () => {
      while (running) {
        const r = await fetch(`${gw.url}/x`);
        const body = await r.text();
        seen.add(body);
        if (r.headers.get('x-generation') !== body)
          mismatches.push(`${body} vs ${r.headers.get('x-generation')}`);
      }
    })();
    for (let i = 1; i <= 6; i++) {
      gw.writeConfig(gen(i));
      await eventually(async () => (await (await fetch(`${gw.url}/x`)).text()) === String(i), 3000);
    }
    running = false;
    await loop;
    assert.deepEqual(mismatches, []);
    assert.ok(seen.size >= 3, `saw generations ${[...seen].join(',')}`);
    seen = new Set();
  });
});
