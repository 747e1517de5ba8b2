/**
 * The package installs and runs outside the repository: `npm pack` → `npm install -g` of the tarball
 * into a temporary prefix (production dependencies only, from npm's cache) → `portcullis` started from a
 * folder with no node_modules above it serves MCP through the bundled server-everything over stdio, the
 * admin UI and readiness. Needs the build (`npm run build`, run by `npm ci` through `prepare`).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const ROOT = resolve('.');

function npm(args: string[], cwd: string) {
  const r = spawnSync('npm', args, {
    cwd,
    encoding: 'utf8',
    timeout: 240_000,
    env: {
      ...process.env,
      npm_config_fund: 'false',
      npm_config_audit: 'false',
      npm_config_update_notifier: 'false',
    },
  });
  assert.equal(r.status, 0, `npm ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

describe('npm pack → npm install -g → portcullis, outside the repository', () => {
  const work = mkdtempSync(join(tmpdir(), 'portcullis-pack-'));
  const prefix = join(work, 'prefix');
  const home = join(work, 'home');
  let gw: ChildProcess | undefined;
  let stderr = '';

  before(() => {
    assert.ok(existsSync(join(ROOT, 'dist/cli/main.js')), 'dist/ missing: run `npm run build` first');
    assert.ok(existsSync(join(ROOT, 'ui/dist/index.html')), 'ui/dist missing: run `npm run build` first');
    npm(['pack', '--ignore-scripts', '--pack-destination', work], ROOT);
    const tgz = readdirSync(work).find((f) => f.endsWith('.tgz'));
    assert.ok(tgz, 'npm pack wrote a tarball');
    npm(['install', '-g', '--prefix', prefix, '--prefer-offline', '--omit=dev', join(work, tgz!)], work);
  });
  after(() => {
    gw?.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  test('the installed package holds no dev dependency and no source', () => {
    const pkgDir = join(prefix, 'lib', 'node_modules', 'portcullis');
    assert.ok(existsSync(join(pkgDir, 'dist/cli/main.js')));
    assert.ok(existsSync(join(pkgDir, 'ui/dist/index.html')), 'the admin UI is in the package');
    assert.ok(!existsSync(join(pkgDir, 'src')), 'no TypeScript sources shipped');
    for (const dev of ['typescript', 'tsx', 'vite', 'eslint', 'playwright-core', 'esbuild'])
      assert.ok(!existsSync(join(pkgDir, 'node_modules', dev)), `dev dependency ${dev} not installed`);
  });

  test('portcullis -V and -f config.yaml run from a folder outside the repository', async () => {
    const bin = join(prefix, 'bin', 'portcullis');
    const env = {
      PATH: `${join(prefix, 'bin')}:${process.env.PATH}`,
      HOME: home,
      ADMIN_ADDR: '127.0.0.1:0',
      STATS_ADDR: '127.0.0.1:0',
      READINESS_ADDR: '127.0.0.1:0',
    };
    const v = spawnSync(bin, ['-V'], { cwd: work, encoding: 'utf8', env });
    assert.equal(v.status, 0, v.stderr);
    assert.match(v.stdout.trim(), /^\d+\.\d+\.\d+/);

    const everything = join(
      prefix,
      'lib',
      'node_modules',
      'portcullis',
      'node_modules',
      '@modelcontextprotocol',
      'server-everything',
      'dist',
      'index.js',
    );
    assert.ok(existsSync(everything), 'server-everything ships as a dependency');
    writeFileSync(
      join(work, 'config.yaml'),
      `binds:\n- port: 0\n  listeners:\n  - routes:\n    - backends:\n      - mcp:\n          targets:\n          - name: everything\n            stdio: {cmd: node, args: ["${everything}", "stdio"]}\n`,
    );
    gw = spawn(bin, ['-f', 'config.yaml'], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
    gw.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    gw.stdout!.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 30_000;
    while (!/listening +http:\/\/\S+:\d+/.test(stderr) && Date.now() < deadline && gw.exitCode === null)
      await new Promise((r) => setTimeout(r, 50));
    const port = Number(/listening +http:\/\/\S+:(\d+)/.exec(stderr)?.[1]);
    assert.ok(port > 0, `no listening line:\n${stderr}`);
    const admin = /admin UI +(\S+)\/ui\//.exec(stderr)?.[1];
    assert.ok(admin, `no admin UI line:\n${stderr}`);

    const client = new Client({ name: 'pack-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)));
    const tools = (await client.listTools()).tools.map((t) => t.name);
    assert.ok(tools.includes('echo'), tools.join());
    const r = await client.callTool({ name: 'echo', arguments: { message: 'from the tarball' } });
    assert.match(JSON.stringify(r.content), /from the tarball/);
    await client.close();

    const ui = await fetch(`${admin}/ui/`);
    assert.equal(ui.status, 200);
    assert.match(await ui.text(), /<div id="root">|<script/);
  });
});
