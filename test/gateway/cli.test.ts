/** The real `portcullis` binary (bin/portcullis.js → dist/): flags, exit codes, banner, shutdown. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve('bin/portcullis.js');
const PUB_KEY = resolve('test/fixtures/seed-jwt/pub-key');

function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    input,
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      ...process.env,
      ADMIN_ADDR: '127.0.0.1:0',
      STATS_ADDR: '127.0.0.1:0',
      READINESS_ADDR: '127.0.0.1:0',
    },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The real binary running in the background, its output captured; resolves once the banner is out. */
async function launch(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: {
      ...process.env,
      ADMIN_ADDR: '127.0.0.1:0',
      STATS_ADDR: '127.0.0.1:0',
      READINESS_ADDR: '127.0.0.1:0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((ok) => child.once('exit', (c) => ok(c)));
  const until = async (cond: () => boolean) => {
    const deadline = Date.now() + 20_000;
    while (!cond() && Date.now() < deadline && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 50));
  };
  await until(() => /config {2,}\S+/.test(stderr));
  const port = Number(/listening +http:\/\/\S+:(\d+)/.exec(stderr)?.[1]);
  const admin = /admin UI +(\S+)\/ui\//.exec(stderr)?.[1] ?? '';
  return {
    child,
    port,
    admin,
    until,
    stdout: () => stdout,
    stderr: () => stderr,
    /** SIGTERM, then the exit code. */
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

const GOOD = `binds:
- port: 0
  listeners:
  - routes:
    - policies:
        jwtAuth:
          issuer: agentgateway.dev
          audiences: [test.agentgateway.dev]
          jwks: {file: ${PUB_KEY}}
        mcpAuthorization:
          rules: ['mcp.tool.name == "echo"']
      backends:
      - mcp:
          targets:
          - name: t1
            mcp: {host: "http://127.0.0.1:1/mcp"}
`;

const dir = mkdtempSync(join(tmpdir(), 'portcullis-cli-'));
const goodFile = join(dir, 'good.yaml');
writeFileSync(goodFile, GOOD);
const badFile = join(dir, 'bad.yaml');
writeFileSync(
  badFile,
  GOOD.replace('audiences:', 'audience_list:').replace('\'mcp.tool.name == "echo"\'', "'mcp.tool.nme == 1'"),
);

describe('portcullis CLI', () => {
  test('--validate-only on a good file prints "Configuration is valid!" and exits 0', () => {
    const r = run(['-f', goodFile, '--validate-only']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'Configuration is valid!');
  });

  test('--validate-only on a bad file prints every error with file:line:col and exits 1', () => {
    const r = run(['-f', badFile, '--validate-only']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.yaml:8:\d+: .*jwtAuth.*audience_list/);
    assert.doesNotMatch(r.stdout, /valid/);
  });

  test('--validate-only prints warnings (an unreachable JWKS) and still exits 0', () => {
    const cfg =
      'routes: [{policies: {jwtAuth: {issuer: me, jwks: {url: "http://127.0.0.1:9/jwks"}}, directResponse: {status: 200}}}]\n' +
      'gateways: {default: {port: 0}}';
    const r = run(['-c', cfg, '--validate-only']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /warning: <inline>:1:\d+: .*jwks\.url: cannot fetch JWKS from http:\/\/127\.0\.0\.1:9\/jwks/,
    );
    assert.equal(r.stdout.trim(), 'Configuration is valid! (1 warning)');
  });

  test('-c takes the whole config inline (binds included)', () => {
    const r = run(['-c', GOOD, '--validate-only']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'Configuration is valid!');
  });

  test('-c with an error names <inline>', () => {
    const r = run(['-c', 'binds: [{port: 0, listeners: [{routes: [{polices: {}}]}]}]', '--validate-only']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /<inline>:1:\d+: .*polices.*did you mean .*policies/);
  });

  test('-f - reads the config from stdin', () => {
    const r = run(['-f', '-', '--validate-only'], GOOD);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'Configuration is valid!');
  });

  test('-c and -f together is a usage error (exit 2)', () => {
    const r = run(['-c', GOOD, '-f', goodFile]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /only one of --config or --file/);
  });

  test('unknown flag is a usage error with help (exit 2)', () => {
    const r = run(['--bogus']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Usage:/);
  });

  test('--version, -V and --help', () => {
    const pkg = JSON.parse(spawnSync('cat', ['package.json'], { encoding: 'utf8' }).stdout) as {
      version: string;
    };
    const v = run(['--version']);
    assert.equal(v.code, 0);
    assert.equal((JSON.parse(v.stdout) as { version: string }).version, pkg.version);
    assert.equal(run(['-V']).stdout.trim(), pkg.version);
    const h = run(['--help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /--validate-only/);
  });

  test('--log-level is validated, and applies to the running gateway', async () => {
    const bad = run(['-f', goodFile, '--log-level', 'loud']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--log-level must be one of trace, debug, info/);
    // The access line of a 400 is a warning (its level is the outcome): off at `error`.
    const g = await launch(['-f', goodFile, '--log-level', 'error']);
    await fetch(`http://127.0.0.1:${g.port}/nowhere`);
    assert.equal(((await (await fetch(`${g.admin}/logging`)).json()) as { level: string }).level, 'error');
    // Raised at run time through the admin API: the next request is logged.
    await fetch(`${g.admin}/logging?level=info`, { method: 'POST' });
    await fetch(`http://127.0.0.1:${g.port}/after`);
    assert.equal(await g.stop(), 0);
    assert.doesNotMatch(g.stdout(), /"http.path":"\/nowhere"/, 'warn lines are off at error');
    assert.match(g.stdout(), /"http.path":"\/after"/, 'lines are on after POST /logging?level=info');
  });

  test('SIGHUP reloads the config file', async () => {
    const g = await launch(['-f', goodFile]);
    assert.doesNotMatch(g.stdout(), /Config reloaded successfully/);
    g.child.kill('SIGHUP');
    await g.until(() => /Config reloaded successfully/.test(g.stdout()));
    assert.match(g.stdout(), /Config reloaded successfully/);
    assert.equal(await g.stop(), 0);
  });

  test('a missing file is a clear error (exit 1)', () => {
    const r = run(['-f', join(dir, 'nope.yaml'), '--validate-only']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /nope\.yaml/);
  });

  test('runs: banner lists the listening address, admin UI and watched file; SIGTERM drains and exits 0', async () => {
    const g = await launch(['-f', goodFile]);
    const stderr = g.stderr();
    assert.match(stderr, /listening +http:\/\/\S+:\d+/);
    assert.match(stderr, /admin UI +http:\/\/127\.0\.0\.1:\d+\/ui\//);
    assert.match(stderr, /good\.yaml +\(watched/);
    const r = await fetch(`http://127.0.0.1:${g.port}/mcp`, { method: 'GET' });
    assert.ok(r.status >= 400, 'the listener answers');
    assert.equal(await g.stop(), 0);
  });
});
