/**
 * Invalid configs: each case asserts the exact field path and the line (and column) of the issue
 * plus the message, as printed `<file>:<line>:<col>: <path>: <message>`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { findIssue, loadError, REPO_ROOT } from './helpers.js';

interface Case {
  readonly name: string;
  readonly yaml: string;
  readonly path: string;
  readonly line: number;
  readonly column?: number;
  readonly message: RegExp;
  readonly env?: Record<string, string>;
}

/** A minimal valid route whose `policies` block is `policies` (indented for the route level). */
const route = (policies: string, backends = MCP_BACKEND): string =>
  `binds:
- port: 3000
  listeners:
  - routes:
    - policies:
${policies}
      backends:
${backends}`;
const MCP_BACKEND = `      - mcp:
          targets:
          - name: a
            mcp: {host: "http://localhost:3001/mcp"}`;
/** A bind whose first target is `target` (indented at the target level). */
const target = (t: string): string =>
  `binds:
- port: 3000
  listeners:
  - routes:
    - backends:
      - mcp:
          targets:
${t}`;
const P = 'binds[0].listeners[0].routes[0]';
const T = `${P}.backends[0].mcp.targets[0]`;

const CASES: Case[] = [
  {
    name: 'misspelt top-level key',
    yaml: 'bind:\n- port: 3000\n',
    path: 'bind',
    line: 1,
    column: 1,
    message:
      /unknown field `bind`, did you mean `binds`\? \(valid: config, binds, mcp, gateways, routes, tcpRoutes, backends, frontendPolicies\)/,
  },
  {
    name: 'misspelt policy',
    yaml: route('        cros: {}'),
    path: `${P}.policies.cros`,
    line: 6,
    column: 9,
    message: /unknown field `cros`, did you mean `cors`\?.*\(valid: cors, csrf, jwtAuth,/,
  },
  {
    name: 'misspelt cors field',
    yaml: route('        cors:\n          allowOrigin: ["*"]'),
    path: `${P}.policies.cors.allowOrigin`,
    line: 7,
    column: 11,
    message: /unknown field `allowOrigin`, did you mean `allowOrigins`\?/,
  },
  {
    name: 'snake_case key',
    yaml: route('        cors:\n          allow_origins: ["*"]'),
    path: `${P}.policies.cors.allow_origins`,
    line: 7,
    column: 11,
    message: /did you mean `allowOrigins`\?/,
  },
  {
    name: 'unimplemented policy',
    yaml: route('        extProc:\n          host: localhost:9000'),
    path: `${P}.policies.extProc`,
    line: 6,
    column: 9,
    message: /^not supported yet: extProc$/,
  },
  {
    name: 'unimplemented top-level section',
    yaml: 'workloads: []\n',
    path: 'workloads',
    line: 1,
    column: 1,
    message: /^not supported yet: workloads$/,
  },
  {
    name: 'unimplemented backend kind',
    yaml: route(
      '        cors: {}',
      '      - service:\n          name: {namespace: default, hostname: svc}\n          port: 80',
    ),
    path: `${P}.backends[0].service`,
    line: 8,
    column: 9,
    message: /^not supported yet: service \(backend kind\)$/,
  },
  {
    name: 'unimplemented listener protocol',
    yaml: 'binds:\n- port: 3000\n  listeners:\n  - protocol: HBONE\n    tcpRoutes: []\n',
    path: 'binds[0].listeners[0].protocol',
    line: 4,
    column: 15,
    message: /^not supported yet: HBONE \(listener protocol\)$/,
  },
  {
    name: 'tcpRoutes on an HTTP listener',
    yaml: 'binds:\n- port: 3000\n  listeners:\n  - tcpRoutes: []\n',
    path: 'binds[0].listeners[0].tcpRoutes',
    line: 4,
    column: 16,
    message: /^tcpRoutes need protocol TCP or TLS \(this listener is HTTP\)$/,
  },
  {
    name: 'remote rate limit descriptor of type tokens',
    yaml: 'mcp:\n  policies:\n    remoteRateLimit:\n      host: rl:8081\n      domain: d\n      descriptors:\n      - entries: [{key: k, value: "1"}]\n        type: tokens\n  targets: [{name: a, mcp: {host: "http://a/mcp"}}]\n',
    path: 'mcp.policies.remoteRateLimit.descriptors[0].type',
    line: 8,
    column: 15,
    message: /^not supported yet: tokens \(rate limit type\)$/,
  },
  {
    name: 'extAuthz on a unix socket',
    yaml: 'mcp:\n  policies:\n    extAuthz:\n      host: unix:/run/authz.sock\n      protocol: {http: {}}\n  targets: [{name: a, mcp: {host: "http://a/mcp"}}]\n',
    path: 'mcp.policies.extAuthz.host',
    line: 4,
    column: 13,
    message: /^not supported yet: unix:\/run\/authz\.sock \(unix socket address\)$/,
  },
  {
    name: 'policies on a stdio target',
    yaml: 'mcp:\n  targets:\n  - name: a\n    stdio: {cmd: node}\n    policies:\n      backendAuth: {key: k}\n',
    path: 'mcp.targets[0].policies',
    line: 5,
    column: 5,
    message: /^not supported yet: policies \(on a stdio target\)$/,
  },
  {
    name: 'a target policy agentgateway has and Portcullis does not',
    yaml: 'mcp:\n  targets:\n  - name: a\n    mcp: {host: "http://a/mcp"}\n    policies:\n      http: {requestTimeout: 1s}\n',
    path: 'mcp.targets[0].policies.http',
    line: 6,
    column: 7,
    message: /^not supported yet: http$/,
  },
  {
    name: 'top-level tcpRoutes attached to an HTTP gateway',
    yaml: 'gateways:\n  web:\n    port: 3000\ntcpRoutes:\n- gateways: [web]\n  backends: [{host: "db:5432"}]\n',
    path: 'tcpRoutes[0]',
    line: 5,
    column: 3,
    message: /^gateway listener "web\/web" is HTTP: tcpRoutes need protocol TCP or TLS$/,
  },
  {
    name: 'top-level route attached to a TCP gateway',
    yaml: 'gateways:\n  db:\n    port: 3000\n    protocol: TCP\nroutes:\n- gateways: [db]\n  backends: [{host: "db:5432"}]\n',
    path: 'routes[0]',
    line: 6,
    column: 3,
    message: /^gateway listener "db\/db" is TCP: it takes tcpRoutes, not routes$/,
  },
  {
    name: 'unimplemented static field',
    yaml: 'config:\n  adminAddr: localhost:15000\n  xdsAddress: https://istiod:15010\n',
    path: 'config.xdsAddress',
    line: 3,
    column: 3,
    message: /^not supported yet: xdsAddress$/,
  },
  {
    name: 'unimplemented backendAuth kind',
    yaml: route('        backendAuth:\n          gcp: {}'),
    path: `${P}.policies.backendAuth.gcp`,
    line: 7,
    column: 11,
    message: /^not supported yet: gcp \(backendAuth kind\)$/,
  },
  {
    name: 'unset environment variable',
    yaml: route('        backendAuth:\n          key: "Bearer ${API_KEY}"'),
    path: `${P}.policies.backendAuth.key`,
    line: 7,
    column: 24,
    message: /environment variable `API_KEY` is not set/,
  },
  {
    name: 'YAML syntax error',
    yaml: 'binds:\n- port: 3000\n  listeners: [\n',
    path: '',
    line: 4,
    message: /^YAML syntax error: /,
  },
  {
    name: 'YAML duplicate key',
    yaml: 'binds:\n- port: 3000\n  port: 3001\n  listeners: []\n',
    path: '',
    line: 3,
    column: 3,
    message: /YAML syntax error: Map keys must be unique/,
  },
  {
    name: 'bad duration',
    yaml: route('        cors:\n          maxAge: 10 minutes'),
    path: `${P}.policies.cors.maxAge`,
    line: 7,
    column: 19,
    message: /^expected a duration such as "250ms", "10s", "5m", "1h", "1m30s" or "500us"$/,
  },
  {
    name: 'HTTPS without tls',
    yaml: 'binds:\n- port: 3443\n  listeners:\n  - protocol: HTTPS\n    routes: []\n',
    path: 'binds[0].listeners[0].protocol',
    line: 4,
    column: 15,
    message: /protocol HTTPS requires `tls: \{cert, key\}`/,
  },
  {
    name: 'tls on an HTTP listener',
    yaml: 'binds:\n- port: 3000\n  listeners:\n  - tls: {cert: a.pem, key: b.pem}\n    routes: []\n',
    path: 'binds[0].listeners[0].tls',
    line: 4,
    column: 10,
    message: /`tls` is only used with `protocol: HTTPS`/,
  },
  {
    name: 'mcp host with an unsupported scheme',
    yaml: target('          - name: a\n            mcp: {host: "ws://localhost:3001/mcp"}'),
    path: `${T}.mcp.host`,
    line: 9,
    column: 25,
    message: /invalid scheme "ws" \(expected http or https\)/,
  },
  {
    name: 'mcp host with port but no path',
    yaml: target(
      '          - name: a\n            mcp:\n              host: localhost\n              port: 3001',
    ),
    path: `${T}.mcp.port`,
    line: 11,
    column: 21,
    message: /if port or path is set, both must be set/,
  },
  {
    name: 'mcp host with a scheme plus port and path',
    yaml: target('          - name: a\n            sse: {host: "http://localhost", port: 3001, path: /sse}'),
    path: `${T}.sse.host`,
    line: 9,
    column: 25,
    message: /host must be a bare hostname/,
  },
  {
    name: 'target with two kinds',
    yaml: target(
      '          - name: a\n            stdio: {cmd: node}\n            mcp: {host: "http://x/mcp"}',
    ),
    path: T,
    line: 8,
    column: 13,
    message: /^expected exactly one of stdio, mcp, sse, openapi, got stdio and mcp$/,
  },
  {
    name: 'target with no kind',
    yaml: target('          - name: a'),
    path: T,
    line: 8,
    column: 13,
    message: /^expected exactly one of stdio, mcp, sse, openapi, got none$/,
  },
  {
    name: 'misspelt target kind',
    yaml: target('          - name: a\n            stido: {cmd: node}'),
    path: `${T}.stido`,
    line: 9,
    column: 13,
    message: /unknown field `stido`, did you mean `stdio`\?/,
  },
  {
    name: 'stdio without cmd',
    yaml: target('          - name: a\n            stdio:\n              args: [x]'),
    path: `${T}.stdio.cmd`,
    line: 10,
    column: 15,
    message: /^missing required field `cmd`$/,
  },
  {
    name: 'jwtAuth without jwks',
    yaml: route('        jwtAuth:\n          issuer: me\n          audiences: [you]'),
    path: `${P}.policies.jwtAuth.jwks`,
    line: 7,
    column: 11,
    message: /^missing required field `jwks`$/,
  },
  {
    name: 'jwtAuth with neither shape',
    yaml: route('        jwtAuth:\n          mode: strict'),
    path: `${P}.policies.jwtAuth`,
    line: 7,
    column: 11,
    message: /^expected either issuer \+ jwks or providers, got none$/,
  },
  {
    name: 'jwtAuth mixing both shapes',
    yaml: route('        jwtAuth:\n          issuer: me\n          jwks: {file: a}\n          providers: []'),
    path: `${P}.policies.jwtAuth`,
    line: 7,
    column: 11,
    message: /^expected either issuer \+ jwks or providers, got issuer, jwks and providers$/,
  },
  {
    name: 'backendAuth with no kind',
    yaml: route('        backendAuth: {}'),
    path: `${P}.policies.backendAuth`,
    line: 6,
    column: 22,
    message: /^expected exactly one of passthrough, key, got none$/,
  },
  {
    name: 'unknown mcpAuthentication provider',
    yaml: route(
      '        mcpAuthentication:\n          issuer: https://idp\n          provider: {zitadel: {}}',
    ),
    path: `${P}.policies.mcpAuthentication.provider`,
    line: 8,
    column: 21,
    message: /^expected exactly one of auth0, keycloak, okta, descope, authentik, entra, got zitadel$/,
  },
  {
    name: 'jwks of the wrong type',
    yaml: route('        jwtAuth:\n          issuer: me\n          jwks: 42'),
    path: `${P}.policies.jwtAuth.jwks`,
    line: 8,
    column: 17,
    message: /expected a string of inline JWKS JSON, or an object with exactly one of file, url, got 42/,
  },
  {
    name: 'jwks url that is not http(s)',
    yaml: route('        jwtAuth:\n          issuer: me\n          jwks: {url: "file:///etc/jwks.json"}'),
    path: `${P}.policies.jwtAuth.jwks.url`,
    line: 8,
    column: 23,
    message: /expected a valid url/,
  },
  {
    name: 'misspelt authorization rule key',
    yaml: route('        mcpAuthorization:\n          rules:\n          - alow: "true"'),
    path: `${P}.policies.mcpAuthorization.rules[0].alow`,
    line: 8,
    column: 13,
    message: /unknown field `alow`, did you mean `allow`\?/,
  },
  {
    name: 'authorization rule of the wrong type',
    yaml: route('        mcpAuthorization:\n          rules:\n          - 42'),
    path: `${P}.policies.mcpAuthorization.rules[0]`,
    line: 8,
    column: 13,
    message: /^expected a CEL expression, or an object with exactly one of allow, deny, require, got 42$/,
  },
  {
    name: 'mcpAuthorization on a route with two backends',
    yaml: route(
      '        mcpAuthorization:\n          rules: ["true"]',
      `${MCP_BACKEND}\n      - host: localhost:8080`,
    ),
    path: `${P}.policies.mcpAuthorization`,
    line: 7,
    column: 11,
    message: /needs the route to have exactly one backend, an mcp backend \(found 2 backend\(s\), 1 mcp\)/,
  },
  {
    name: 'mcpAuthentication on a route without backends',
    yaml: 'binds:\n- port: 3000\n  listeners:\n  - routes:\n    - policies:\n        mcpAuthentication:\n          issuer: https://idp\n          jwksUrl: https://idp/jwks\n',
    path: `${P}.policies.mcpAuthentication`,
    line: 7,
    column: 11,
    message: /found 0 backend\(s\), 0 mcp/,
  },
  {
    name: 'duplicate target names',
    yaml: target(
      '          - name: a\n            mcp: {host: "http://x/mcp"}\n          - name: a\n            mcp: {host: "http://y/mcp"}',
    ),
    path: `${P}.backends[0].mcp.targets[1].name`,
    line: 10,
    column: 19,
    message: /duplicate target name "a" \(also targets\[0\]\)/,
  },
  {
    name: 'two binds on one port',
    yaml: 'binds:\n- port: 3000\n  listeners: [{routes: []}]\n- port: 3000\n  listeners: [{routes: []}]\n',
    path: 'binds[1].port',
    line: 4,
    column: 9,
    message: /port 3000 is already used by binds\[0\]/,
  },
  {
    name: 'shorthand on a bind port',
    yaml: 'binds:\n- port: 3000\n  listeners: [{routes: []}]\nmcp:\n  port: 3000\n  targets: [{name: a, stdio: {cmd: node}}]\n',
    path: 'mcp.port',
    line: 5,
    column: 9,
    message: /port 3000 is already used by binds\[0\]/,
  },
  {
    name: 'shorthand on its default port next to a bind',
    yaml: 'binds:\n- port: 3000\n  listeners: [{routes: []}]\nmcp:\n  targets: [{name: a, stdio: {cmd: node}}]\n',
    path: 'mcp',
    line: 5,
    column: 3,
    message: /port 3000 is already used by binds\[0\]/,
  },
  {
    name: 'port as a string',
    yaml: 'binds:\n- port: "3000"\n  listeners: [{routes: []}]\n',
    path: 'binds[0].port',
    line: 2,
    column: 9,
    message: /^expected a number, got "3000"$/,
  },
  {
    name: 'port out of range',
    yaml: 'binds:\n- port: 70000\n  listeners: [{routes: []}]\n',
    path: 'binds[0].port',
    line: 2,
    column: 9,
    message: /^must be ≤ 65535$/,
  },
  {
    name: 'empty targets',
    yaml: 'mcp:\n  targets: []\n',
    path: 'mcp.targets',
    line: 2,
    column: 12,
    message: /^must not be empty$/,
  },
  {
    name: 'unknown statefulMode',
    yaml: 'mcp:\n  statefulMode: sticky\n  targets: [{name: a, stdio: {cmd: node}}]\n',
    path: 'mcp.statefulMode',
    line: 2,
    column: 17,
    message: /^expected one of "stateful", "stateless", got "sticky"$/,
  },
  {
    name: 'misspelt shorthand key',
    yaml: 'mcp:\n  target: []\n',
    path: 'mcp.target',
    line: 2,
    column: 3,
    message: /did you mean `targets`\?/,
  },
  {
    name: 'invalid path regex',
    yaml: 'binds:\n- port: 3000\n  listeners:\n  - routes:\n    - matches:\n      - path: {regex: "(["}\n',
    path: `${P}.matches[0].path.regex`,
    line: 6,
    column: 23,
    message: /invalid regular expression/,
  },
  {
    name: 'pathPrefix without a leading slash',
    yaml: 'binds:\n- port: 3000\n  listeners:\n  - routes:\n    - matches:\n      - path: {pathPrefix: mcp}\n',
    path: `${P}.matches[0].path.pathPrefix`,
    line: 6,
    column: 28,
    message: /must start with "\/", got "mcp"/,
  },
  {
    name: 'empty matches',
    yaml: 'binds:\n- port: 3000\n  listeners:\n  - routes:\n    - matches: []\n',
    path: `${P}.matches`,
    line: 5,
    column: 16,
    message: /leave `matches` out to match every path/,
  },
  {
    name: 'host backend without a port',
    yaml: route('        cors: {}', '      - host: localhost'),
    path: `${P}.backends[0].host`,
    line: 8,
    column: 15,
    message: /expected "hostname:port", got "localhost"/,
  },
  {
    name: 'rate limit without fillInterval',
    yaml: route('        localRateLimit:\n        - maxTokens: 10'),
    path: `${P}.policies.localRateLimit[0].fillInterval`,
    line: 7,
    column: 11,
    message: /^missing required field `fillInterval`$/,
  },
  {
    name: 'bad adminAddr',
    yaml: 'config:\n  adminAddr: localhost\n',
    path: 'config.adminAddr',
    line: 2,
    column: 14,
    message: /expected "host:port"/,
  },
  {
    name: 'bad ADMIN_ADDR from the environment',
    yaml: 'config: {}\n',
    env: { ADMIN_ADDR: 'nope' },
    path: 'config.adminAddr',
    line: 1,
    column: 9,
    message: /got "nope" \(from the environment variable ADMIN_ADDR\)/,
  },
  {
    name: 'a list at the top level',
    yaml: '- port: 3000\n',
    path: '',
    line: 1,
    column: 1,
    message: /^expected a mapping, got a list$/,
  },
  {
    name: 'listeners of one bind with different protocols',
    yaml: 'binds:\n- port: 3000\n  listeners:\n  - hostname: a\n    routes: []\n  - hostname: b\n    protocol: HTTPS\n    tls: {cert: test/config/fixtures/tls/cert.pem, key: test/config/fixtures/tls/key.pem}\n    routes: []\n',
    path: 'binds[0].listeners[1].protocol',
    line: 7,
    column: 15,
    message: /listeners\[0\] is HTTP, this one is HTTPS/,
  },
  {
    name: 'duplicate listener names',
    yaml: 'binds:\n- port: 3000\n  listeners:\n  - name: x\n    routes: []\n  - name: x\n    routes: []\n',
    path: 'binds[0].listeners[1].name',
    line: 6,
    column: 11,
    message: /duplicate listener "x\/bind\/3000" \(also listeners\[0\]\)/,
  },
  {
    name: 'missing TLS file',
    yaml: 'binds:\n- port: 3443\n  listeners:\n  - protocol: HTTPS\n    tls: {cert: nope/cert.pem, key: test/config/fixtures/tls/key.pem}\n    routes: []\n',
    path: 'binds[0].listeners[0].tls.cert',
    line: 5,
    column: 17,
    message: /file not found: nope\/cert\.pem \(tried \S+\/nope\/cert\.pem\)/,
  },
];

describe('invalid configs name the file, line, column and field path', () => {
  test(`the table has at least 30 cases (${CASES.length})`, () => assert.ok(CASES.length >= 30));
  for (const c of CASES) {
    test(c.name, () => {
      const err = loadError(c.yaml, { name: 'bad.yaml', env: c.env ?? {} });
      const issue = findIssue(err, c.path);
      assert.equal(issue.file, 'bad.yaml');
      assert.equal(issue.line, c.line, `line of ${c.path}:\n${err.message}`);
      if (c.column !== undefined)
        assert.equal(issue.column, c.column, `column of ${c.path}:\n${err.message}`);
      assert.match(issue.message, c.message);
      const where = `bad.yaml:${issue.line}:${issue.column}: `;
      assert.ok(
        err.message.includes(c.path ? `${where}${c.path}: ${issue.message}` : `${where}${issue.message}`),
      );
    });
  }
});

describe('reporting', () => {
  test('every error is reported, not only the first, in document order', () => {
    const err = loadError(
      'binds:\n- port: 3000\n  listners: []\n- port: 3001\n  listeners:\n  - protocl: HTTP\nworkloads: []\n',
    );
    assert.deepEqual(
      err.issues.map((i) => [i.line, i.path]),
      [
        // (`listners` already says "did you mean `listeners`?": no separate "missing" error.)
        [3, 'binds[0].listners'],
        [6, 'binds[1].listeners[0].protocl'],
        [7, 'workloads'],
      ],
    );
    assert.equal(err.message.split('\n').length, 3);
  });

  test('a misspelt required key is reported once, as a did-you-mean', () => {
    const err = loadError(target('          - name: a\n            stdio: {cmdd: node}'));
    assert.deepEqual(
      err.issues.map((i) => [i.path, i.message.split(',')[0]]),
      [[`${T}.stdio.cmdd`, 'unknown field `cmdd`']],
    );
  });

  test('semantic errors are all reported too', () => {
    const err = loadError(
      'binds:\n- port: 3000\n  listeners:\n  - protocol: HTTPS\n    routes: []\n- port: 3000\n  listeners:\n  - routes: []\n',
    );
    assert.deepEqual(
      err.issues.map((i) => i.path),
      ['binds[0].listeners[0].protocol', 'binds[1].port'],
    );
  });

  test("the seed's July 2025 stdio example loads, warning about the removed mcp backend `name`", async () => {
    const { loadText } = await import('./helpers.js');
    const text = readFileSync(join(REPO_ROOT, 'test/config/cases/seed-authorization-stdio.yaml'), 'utf8');
    const loaded = loadText(text, { name: 'stdio.yaml' });
    assert.deepEqual(loaded.build.warnings, [
      'stdio.yaml:23:17: binds[0].listeners[0].routes[0].backends[0].mcp.name: ignored: an mcp backend has no name since agentgateway v0.7',
    ]);
  });
});
