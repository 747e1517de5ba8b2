/**
 * The operator's day through the real binary (bin/portcullis.js → dist/; run `node scripts/build-cli.mjs`
 * after changing src/): --validate-only reporting everything at once, explain's names, exit codes and
 * down targets, `portcullis test` policy tests, and --log-format.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve('bin/portcullis.js');
const PUB_KEY = resolve('test/fixtures/seed-jwt/pub-key');
const EXAMPLE1 = resolve('test/fixtures/seed-jwt/example1.key');
const EVERYTHING = resolve('node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const ENV = {
  ...process.env,
  ADMIN_ADDR: '127.0.0.1:0',
  STATS_ADDR: '127.0.0.1:0',
  READINESS_ADDR: '127.0.0.1:0',
  PORTCULLIS_ROOT: process.cwd(),
};

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, env: ENV });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'portcullis-operator-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const route = (policies: string, targets: string) => `binds:
- port: 0
  listeners:
  - routes:
    - policies:
${policies}
      backends:
      - mcp:
          targets:
${targets}`;

const JWT = `        jwtAuth:
          issuer: agentgateway.dev
          audiences: [test.agentgateway.dev]
          jwks: {file: ${PUB_KEY}}`;
const LOCAL = `          - name: local
            stdio: {cmd: node, args: ["${EVERYTHING}", "stdio"]}`;
const DOWN = `          - name: down
            mcp: {host: "http://127.0.0.1:9/mcp"}`;

describe('--validate-only finds everything in one run', () => {
  const broken = file(
    'broken.yaml',
    route(
      `        jwtAuth:
          issuer: agentgateway.dev
          audience_list: [test.agentgateway.dev]
          jwks: {file: ${join(dir, 'missing-jwks.json')}}
        mcpAuthorization:
          rules: ['mcp.tool.nme == "echo"']`,
      `          - name: t1
            stdio: {cmd: nodee}`,
    ),
  );

  test('a schema typo does not hide the CEL, JWKS and PATH errors of the same file (exit 1)', () => {
    const r = run(['--validate-only', '-f', broken]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /broken\.yaml:\d+:\d+: .*jwtAuth\.audience_list: unknown field `audience_list`/);
    assert.match(r.stderr, /jwks\.file: file not found: .*missing-jwks\.json/);
    assert.match(r.stderr, /mcpAuthorization\.rules\[0\]: invalid CEL allow rule: no such field 'nme'/);
    assert.match(r.stderr, /stdio\.cmd: command "nodee" is not found on PATH/);
    assert.match(r.stderr, /4 errors/);
    assert.doesNotMatch(r.stdout, /valid!/);
  });

  test('a config that parses still reports every build error plus the missing command', () => {
    const r = run([
      '--validate-only',
      '-f',
      file('b2.yaml', readBack(broken).replace('audience_list', 'audiences')),
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /missing-jwks\.json/);
    assert.match(r.stderr, /no such field 'nme'/);
    assert.match(r.stderr, /command "nodee" is not found on PATH/);
  });

  test('warnings are printed and do not fail the run (exit 0): a rule using a prefixed name, with the fix', () => {
    const r = run([
      '--validate-only',
      '-f',
      file(
        'warn.yaml',
        route(
          `        mcpAuthorization:
          rules: ['mcp.tool.name == "local_echo"']`,
          `${LOCAL}\n${DOWN}\n`,
        ),
      ),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Configuration is valid! \(1 warning\)/);
    assert.match(
      r.stderr,
      /warning: .*rules\[0\]: rules\[0\] compares mcp\.tool\.name with "local_echo", the name clients see .*Write mcp\.tool\.name == "echo" && mcp\.tool\.target == "local"/,
    );
  });
});

describe('--validate-only warnings past a schema error', () => {
  test('the prefixed-name warning of a file with a schema error is printed with the errors', () => {
    const text = route(
      `        mcpAuthorization:
          rules: ['mcp.tool.name == "local_echo"']`,
      `${LOCAL}\n${DOWN}\n`,
    ).replace('- port: 0', '- port: 0\n  bogus: 1');
    const r = run(['--validate-only', '-f', file('warn-and-error.yaml', text)]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /unknown field `bogus`/);
    assert.match(r.stderr, /warning: .*compares mcp\.tool\.name with "local_echo"/);
    assert.match(r.stderr, /1 error \(1 warning\)/);
  });
});

function readBack(p: string): string {
  return spawnSync('cat', [p], { encoding: 'utf8' }).stdout;
}

describe('explain', () => {
  const multi = file(
    'multi.yaml',
    route(
      `${JWT}\n        mcpAuthorization:\n          rules: ['mcp.tool.name == "echo"']`,
      `${LOCAL}\n${DOWN}\n`,
    ),
  );

  test('explain --help and test --help work (exit 0)', () => {
    const e = run(['explain', '--help']);
    assert.equal(e.code, 0, e.stderr);
    assert.match(e.stdout, /portcullis explain -f FILE/);
    assert.match(e.stdout, /Exit codes/);
    const t = run(['test', '--help']);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /portcullis test POLICY_TESTS\.yaml/);
  });

  test('shows the name clients see and the name rules see; names down targets and failOpen (exit 3)', () => {
    const r = run(['explain', '-f', multi, '--token', EXAMPLE1]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stdout,
      /ALLOW tool +local_echo +allowed by rules\[0\].*rules see mcp\.tool\.name "echo", mcp\.tool\.target "local"/,
    );
    assert.match(
      r.stdout,
      /DOWN +target +down \(route \S+\): .*failureMode: failOpen would serve the other 1 target/,
    );
  });

  test('--tool nope says the tool does not exist and exits 1', () => {
    const r = run(['explain', '-f', multi, '--tool', 'nope']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no tool "nope" on any route.*tools clients see: .*local_echo/);
  });

  test('--tool with the client-facing name lists only that tool', () => {
    const r = run(['explain', '-f', multi, '--tool', 'local_echo']);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout.split('\n').filter((l) => /^(ALLOW|DENY)/.test(l)).length, 1, r.stdout);
  });

  test('a rejected token exits 1 with the reason and the 401, not "as anonymous"', () => {
    const r = run(['explain', '-f', multi, '--token', 'not.a.jwt']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /token rejected: .+/);
    assert.match(r.stderr, /401/);
    assert.doesNotMatch(r.stdout, /ALLOW|DENY/);
  });
});

describe('explain without a token on a strict route', () => {
  test('says the gateway answers 401 to anonymous callers and exits 1', () => {
    const strict = file(
      'strict.yaml',
      route(`${JWT.replace('jwtAuth:', 'jwtAuth:\n          mode: strict')}`, `${DOWN}\n`),
    );
    const r = run(['explain', '-f', strict]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /route \S+ answers 401 Unauthorized to callers without a token/);
    assert.doesNotMatch(r.stdout, /identity: anonymous/);
  });
});

describe('portcullis test (policy tests as code)', () => {
  test('the quickstart example passes (TAP, exit 0) without starting any upstream', () => {
    const r = run(['test', 'examples/quickstart/policies.test.yaml']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^TAP version 13\n1\.\.6\n/);
    assert.equal((r.stdout.match(/^ok \d+ - /gm) ?? []).length, 6);
    assert.match(r.stdout, /# fail 0/);
  });

  file(
    'pt.yaml',
    route(
      `${JWT}\n        mcpAuthorization:\n          rules:\n          - 'mcp.tool.name == "echo"'\n          - 'jwt.sub == "admin" && mcp.tool.name == "get-env"'`,
      `${LOCAL}\n${DOWN}\n`,
    ),
  );
  const cases = file(
    'pt.test.yaml',
    `config: pt.yaml
cases:
- name: echo for anyone (client-facing name)
  tool: local_echo
  expect: allow
  rule: rules[0]
- name: echo for anyone (target given)
  tool: echo
  target: local
  expect: allow
- name: admin may read env
  identity: {claims: {sub: admin}}
  tool: local_get-env
  expect: allow
  rule: rules[1]
- name: WRONG on purpose
  identity: {claims: {sub: bob}}
  tool: local_get-env
  expect: allow
- name: unknown target
  tool: nowhere_x
  expect: deny
`,
  );

  test('a failing case fails the run (exit 1) and TAP says why', () => {
    const r = run(['test', cases]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^ok 1 - echo for anyone \(client-facing name\)$/m);
    assert.match(r.stdout, /^ok 2 - /m);
    assert.match(r.stdout, /^ok 3 - admin may read env$/m);
    assert.match(r.stdout, /^not ok 4 - WRONG on purpose\n {2}---\n {2}expected: allow\n {2}actual: deny\n/m);
    assert.match(r.stdout, /^not ok 5 - unknown target\n[\s\S]*actual: error[\s\S]*names no target/m);
    assert.match(r.stdout, /# pass 3\n# fail 2/);
    assert.match(r.stderr, /2 of 5 policy test cases failed/);
  });

  test('--reporter junit writes JUnit XML with failures and errors', () => {
    const r = run(['test', cases, '--reporter', 'junit']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^<\?xml version="1\.0" encoding="UTF-8"\?>/);
    assert.match(r.stdout, /<testsuite name="[^"]*pt\.test\.yaml" tests="5" failures="1" errors="1">/);
    assert.match(
      r.stdout,
      /<testcase name="WRONG on purpose" [^>]*>\n {6}<failure message="expected allow, got deny">/,
    );
    assert.match(r.stdout, /<testcase name="admin may read env" [^>]*\/>/);
  });

  test('an invalid test file is a clear error (exit 1)', () => {
    const bad = file('bad.test.yaml', 'config: pt.yaml\ncases:\n- tool: echo\n  expect: maybe\n');
    const r = run(['test', bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cases\[0\]\.expect: /);
  });
});

describe('--log-format', () => {
  test('text logs on request, escaped: a tool name with ESC [ never reaches the terminal raw', async () => {
    const cfg = file(
      'logs.yaml',
      `binds:\n- port: 0\n  listeners:\n  - routes:\n    - backends:\n      - mcp:\n          targets:\n${LOCAL}\n`,
    );
    const child = spawn(process.execPath, [BIN, '-f', cfg, '--log-format', 'text'], {
      env: ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((ok) => child.once('exit', (c) => ok(c)));
    const deadline = Date.now() + 20_000;
    while (!/listening +http:\/\/\S+:\d+/.test(stderr) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const port = Number(/listening +http:\/\/\S+:(\d+)/.exec(stderr)?.[1]);
    const post = (body: unknown, session?: string) =>
      fetch(`http://127.0.0.1:${port}/mcp`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...(session ? { 'mcp-session-id': session } : {}),
        },
        body: JSON.stringify(body),
      });
    const init = await post({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    });
    const session = init.headers.get('mcp-session-id') ?? '';
    await init.text();
    const call = await post(
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: '\x1b[2J\x1b[31mevil', arguments: {} } },
      session,
    );
    await call.text();
    const logged = Date.now() + 10_000;
    while (!/mcp\.method=tools\/call/.test(stdout) && Date.now() < logged)
      await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(stdout, /^\S+Z INFO {2}request .*mcp\.method=tools\/call/m);
    assert.match(stdout, /mcp\.resource\.name=\\x1b\[2J\\x1b\[31mevil/);
    assert.equal(stdout.includes('\x1b'), false, 'no raw ESC in the log');
    // upstream stderr lines: the target once
    for (const line of stdout.split('\n').filter((l) => l.includes('stream=stderr')))
      assert.equal(line.match(/ target=/g)?.length, 1, line);
  });

  test('--log-format is validated (exit 2)', () => {
    const r = run(['--log-format', 'xml']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--log-format must be json or text/);
  });
});
