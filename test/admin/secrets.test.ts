/**
 * A distinct secret planted in every config field that can hold one; none may appear in any admin
 * response or in the log (at debug). Then the config round trip: `GET /config` → `POST /config` keeps the
 * secrets in the file, and without the admin token `POST /config` cannot add a stdio target.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import { eventually, startGateway, type TestGateway } from '../helpers/gateway.js';
import { raw, type RawResponse } from './http-client.js';

const EVERYTHING = resolve('node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const TOKEN = 'admin-token-0123456789abcdef';
const SECRETS = {
  backendAuthKey: 'S3CRET-BACKENDAUTH',
  stdioEnv: 'S3CRET-STDIOENV',
  stdioArg: 'S3CRET-STDIOARG',
  requestHeader: 'S3CRET-REQHEADER',
  responseHeader: 'S3CRET-RESPHEADER',
  targetUser: 'S3CRET-TARGETUSER',
  targetPassword: 'S3CRET-TARGETPASS',
  targetQuery: 'S3CRET-TARGETQUERY',
  jwksQuery: 'S3CRET-JWKSQUERY',
  otlpUser: 'S3CRET-OTLPUSER',
  otlpQuery: 'S3CRET-OTLPQUERY',
  tracingHeader: 'S3CRET-TRACINGHEADER',
};

function configYaml(jwksUrl: string): string {
  const s = SECRETS;
  return `config:
  logging: {level: debug}
  tracing:
    otlpEndpoint: "http://${s.otlpUser}@127.0.0.1:1/v1/traces?k=${s.otlpQuery}"
    headers: {x-collector-team: "${s.tracingHeader}"}
binds:
- port: 0
  listeners:
  - routes:
    - policies:
        jwtAuth:
          mode: optional
          issuer: https://issuer.test
          jwks: {url: "${jwksUrl}?sig=${s.jwksQuery}"}
        backendAuth: {key: "${s.backendAuthKey}"}
        requestHeaderModifier: {set: {x-odd-name: "${s.requestHeader}"}}
        responseHeaderModifier: {add: {x-other-name: "${s.responseHeader}"}}
      backends:
      - mcp:
          targets:
          - name: local
            stdio:
              cmd: node
              args: ["${EVERYTHING}", "stdio", "--label=${s.stdioArg}"]
              env: {DB_PASS_DSN: "${s.stdioEnv}"}
          - name: remote
            mcp: {host: "http://${s.targetUser}:${s.targetPassword}@127.0.0.1:1/mcp?key=${s.targetQuery}"}
`;
}

const ROUTES = [
  '/config',
  '/config_dump',
  '/api/summary',
  '/api/sessions',
  '/api/endpoints',
  '/api/demo-tokens',
  '/api/reload',
  '/api/ready',
  '/logging',
];

function assertNoSecret(text: string, where: string): void {
  for (const [field, secret] of Object.entries(SECRETS))
    assert.ok(!text.includes(secret), `${field} (${secret}) leaked in ${where}`);
}

describe('admin responses and logs never show a secret', () => {
  let jwks: Server;
  let jwksUrl: string;
  let gw: TestGateway;
  const auth = { authorization: `Bearer ${TOKEN}` };

  before(async () => {
    const { publicKey } = await generateKeyPair('RS256');
    const body = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' }] });
    jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
    jwksUrl = `http://127.0.0.1:${(jwks.address() as { port: number }).port}/jwks.json`;
    gw = await startGateway(configYaml(jwksUrl), {
      env: { PORTCULLIS_ADMIN_TOKEN: TOKEN },
      logLevel: 'debug',
      name: 'admin-secrets',
    });
  });
  after(async () => {
    await gw?.stop();
    await new Promise((r) => jwks.close(r));
  });

  test('no admin API response carries a planted secret', async () => {
    for (const path of ROUTES) {
      const r = await raw(gw.adminUrl, path, { headers: auth });
      assert.equal(r.status, 200, `${path}: ${r.body}`);
      assertNoSecret(r.body, path);
      assert.ok(!r.body.includes(TOKEN), `the admin token in ${path}`);
    }
    const explain = await raw(gw.adminUrl, '/api/explain', { headers: auth });
    assertNoSecret(explain.body, '/api/explain');
    const dump = JSON.parse((await raw(gw.adminUrl, '/config_dump', { headers: auth })).body) as object;
    assert.ok(!('source' in dump), 'no source text in /config_dump');
    assert.ok(!JSON.stringify(dump).includes('S3CRET'), 'nothing of the source text either');
  });

  test('a request without the token is a 401, counted in portcullis_admin_refused_total', async () => {
    const r = await raw(gw.adminUrl, '/config_dump');
    assert.equal(r.status, 401);
    assertNoSecret(r.body, '/config_dump without the token');
    const metrics = await (await fetch(`${gw.statsUrl}/metrics`)).text();
    assert.match(metrics, /^portcullis_admin_refused_total\{reason="token"\} [1-9]/m);
  });

  test('the log (at debug) carries no planted secret', () => {
    assertNoSecret(JSON.stringify(gw.logs), 'the log');
    assert.ok(!JSON.stringify(gw.logs).includes(TOKEN), 'the admin token is never logged');
  });

  test('GET /config → POST /config unchanged keeps every secret in the file', async () => {
    const shown = await raw(gw.adminUrl, '/config', { headers: auth });
    const r = await raw(gw.adminUrl, '/config', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: shown.body,
    });
    assert.equal(r.status, 200, r.body);
    const file = readFileSync(gw.configFile, 'utf8');
    for (const [field, secret] of Object.entries(SECRETS))
      assert.ok(file.includes(secret), `${field} survived the round trip`);
    assert.ok(!file.includes('[redacted]'));
  });

  test('the redaction marker anywhere else is refused, not written', async () => {
    const shown = JSON.parse((await raw(gw.adminUrl, '/config', { headers: auth })).body) as {
      binds: { listeners: { routes: { policies: Record<string, unknown> }[] }[] }[];
    };
    const policies = shown.binds[0]!.listeners[0]!.routes[0]!.policies;
    policies['requestHeaderModifier'] = { set: { 'x-new-header': '[redacted]' } };
    const r = await raw(gw.adminUrl, '/config', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(shown),
    });
    assert.equal(r.status, 400);
    assert.match(r.body, /can only stand for the value that was shown there/);
  });
});

describe('without the admin token, POST /config cannot add a command', () => {
  let gw: TestGateway;
  const yaml = `binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
          targets:
          - name: local
            stdio: {cmd: node, args: ["${EVERYTHING}", "stdio"]}
`;
  before(async () => {
    gw = await startGateway(yaml, {
      env: { PORTCULLIS_ADMIN_TOKEN: undefined, PORTCULLIS_ADMIN_TOKEN_FILE: undefined },
      name: 'admin-stdio',
      watch: true,
    });
  });
  after(() => gw?.stop());

  const post = (body: unknown): Promise<RawResponse> =>
    raw(gw.adminUrl, '/config', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  test('a new stdio target or a changed command is refused with 403 naming the token', async () => {
    const current = JSON.parse((await raw(gw.adminUrl, '/config')).body) as {
      binds: { listeners: { routes: { backends: { mcp: { targets: unknown[] } }[] }[] }[] }[];
    };
    const targets = current.binds[0]!.listeners[0]!.routes[0]!.backends[0]!.mcp.targets;
    const before = readFileSync(gw.configFile, 'utf8');
    targets.push({ name: 'evil', stdio: { cmd: 'sh', args: ['-c', 'touch /tmp/pwned'] } });
    const added = await post(current);
    assert.equal(added.status, 403, added.body);
    assert.match(added.body, /needs the admin token: set PORTCULLIS_ADMIN_TOKEN/);
    targets.pop();
    (targets[0] as { stdio: { args: string[] } }).stdio.args = ['-e', 'process.exit(0)'];
    assert.equal((await post(current)).status, 403, 'changed args are a new command');
    assert.equal(readFileSync(gw.configFile, 'utf8'), before, 'the file is untouched');
  });

  test('edits that keep the commands are accepted', async () => {
    const current = JSON.parse((await raw(gw.adminUrl, '/config')).body) as Record<string, unknown>;
    current['config'] = { logging: { level: 'debug' } };
    const r = await post(current);
    assert.equal(r.status, 200, r.body);
  });

  test('a config error in a secret-bearing field does not quote the value back', async () => {
    const broken = yaml.replace('args: [', 'env: {K: [1]}, args: "S3CRET-SHAPE", x: [');
    const posted = await raw(gw.adminUrl, '/config', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        binds: [
          {
            port: 0,
            listeners: [
              {
                routes: [
                  {
                    backends: [
                      { mcp: { targets: [{ name: 'local', stdio: { cmd: 'node', args: 'S3CRET-SHAPE' } }] } },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    assert.equal(posted.status, 400, posted.body);
    assert.ok(!posted.body.includes('S3CRET-SHAPE'), posted.body);
    assert.match(posted.body, /stdio\.args: invalid value \(not shown: this field can hold a secret\)/);

    writeFileSync(gw.configFile, broken);
    const reload = await eventually(async () => {
      const r = await raw(gw.adminUrl, '/api/reload');
      return (JSON.parse(r.body) as { ok: boolean }).ok ? undefined : r;
    });
    assert.ok(!reload.body.includes('S3CRET-SHAPE'), reload.body);
    assert.match(reload.body, /not shown: this field can hold a secret/);
  });
});
