/**
 * agentgateway's current config format through the running gateway: a named gateway with a
 * gateway-level jwtAuth, routes attached to it, a named top-level backend referenced as
 * `{backend: name}` with its own policies, backend-level backendAuth with a `location`, and
 * mcpAuthorization rules written with agentgateway's CEL library (list `contains`, `cidr`,
 * canonical `source.address`, `request.pathAndQuery`).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect as netConnect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startHeadersServer } from '../fixtures/headers-server.js';
import type { ServedFixture } from '../fixtures/serve.js';
import { everythingStdio, freePort } from '../fixtures/spawn.js';
import { AUDIENCE, ISSUER, jwksText, makeKey, signToken, type TestKey } from '../authn/helpers.js';
import { eventually, startGateway, type TestGateway } from '../helpers/gateway.js';
import { connect, toolNames } from '../helpers/mcp-client.js';

describe('the gateways/routes/backends format', () => {
  let gw: TestGateway;
  let headers: ServedFixture;
  let key: TestKey;
  const clients: Client[] = [];

  before(async () => {
    key = await makeKey('ES256', 'k1');
    headers = await startHeadersServer();
    const everything = everythingStdio();
    gw = await startGateway(
      `
gateways:
  default:
    port: 0
    jwtAuth:
      mode: optional
      issuer: ${ISSUER}
      audiences: [${AUDIENCE}]
      jwks: '${jwksText(key)}'
routes:
  - name: headers
    matches:
      - path: { pathPrefix: /hdr }
    backends:
      - mcp:
          targets:
            - name: hdr
              mcp: { host: "${headers.url}" }
        policies:
          backendAuth:
            key:
              value: sk-test-1
              location:
                header: { name: x-api-key }
  - name: everything
    backends:
      - backend: everything
backends:
  - name: everything
    policies:
      mcpAuthorization:
        rules:
          - 'jwt.groups.contains("admins") && mcp.tool.name == "echo"'
          - 'source.address == "127.0.0.1" && cidr("127.0.0.0/8").containsIP(source.address) && mcp.tool.name == "get-sum"'
          - 'request.pathAndQuery.startsWith("/mcp") && request.version.startsWith("HTTP/1") && mcp.tool.name == "get-tiny-image"'
          - '[1, 2].contains(2) && {"k": 1}.contains("k") && base64.encode("x") == "eA==" && mcp.tool.name == "get-env"'
    mcp:
      targets:
        - name: everything
          stdio:
            cmd: ${JSON.stringify(everything.cmd)}
            args: ${JSON.stringify(everything.args)}
`,
      { name: 'agentgateway-format' },
    );
  });

  after(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await gw?.stop();
    await headers?.close();
  });

  test('the named backend answers on the default gateway; CEL library rules decide what each caller sees', async () => {
    const anonymous = await connect(`${gw.url}/mcp`);
    clients.push(anonymous);
    assert.deepEqual(await toolNames(anonymous), ['get-env', 'get-sum', 'get-tiny-image']);

    const admin = await connect(`${gw.url}/mcp`, {
      token: await signToken(key, { claims: { groups: ['users', 'admins'] } }),
    });
    clients.push(admin);
    assert.deepEqual(await toolNames(admin), ['echo', 'get-env', 'get-sum', 'get-tiny-image']);
    const r = await admin.callTool({ name: 'echo', arguments: { message: 'hi' } });
    assert.match(JSON.stringify(r.content), /hi/);

    const user = await connect(`${gw.url}/mcp`, {
      token: await signToken(key, { claims: { groups: ['users'] } }),
    });
    clients.push(user);
    assert.ok(!(await toolNames(user)).includes('echo'), 'groups without "admins" do not match');
  });

  test('a backend-level backendAuth key goes upstream in the header its location names', async () => {
    const client = await connect(`${gw.url}/hdr`);
    clients.push(client);
    const r = await client.callTool({ name: 'get_headers', arguments: {} });
    const seen = (r.structuredContent as { headers: Record<string, string> }).headers;
    assert.equal(seen['x-api-key'], 'sk-test-1');
    assert.equal(seen.authorization, undefined);
  });
});

/** A TCP server answering each chunk with `<tag>:<chunk>`. */
async function tcpEcho(tag: string): Promise<{ host: string; server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    s.on('data', (d) => s.write(`${tag}:${d.toString()}`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { host: `127.0.0.1:${(server.address() as { port: number }).port}`, server, sockets };
}

describe('top-level tcpRoutes attached to a TCP gateway', () => {
  let gw: TestGateway;
  let echo: Awaited<ReturnType<typeof tcpEcho>>;

  before(async () => {
    echo = await tcpEcho('db');
    gw = await startGateway(
      `
gateways:
  db-proxy:
    port: 0
    protocol: TCP
tcpRoutes:
  - name: db
    gateways: [db-proxy]
    backends:
      - host: ${echo.host}
        weight: 1
`,
      { name: 'agentgateway-format-tcp' },
    );
  });

  after(async () => {
    await gw?.stop();
    for (const s of echo?.sockets ?? []) s.destroy();
    await new Promise<void>((r) => (echo ? echo.server.close(() => r()) : r()));
  });

  test('a connection to the gateway port is proxied to the route backend', async () => {
    const sock = await new Promise<Socket>((resolve, reject) => {
      const s = netConnect({ port: gw.port, host: '127.0.0.1' }, () => resolve(s));
      s.once('error', reject);
    });
    try {
      const answer = await new Promise<string>((resolve, reject) => {
        sock.once('data', (d) => resolve(d.toString()));
        sock.once('error', reject);
        sock.write('ping');
      });
      assert.equal(answer, 'db:ping');
    } finally {
      sock.destroy();
    }
  });
});

describe('delay (fault injection) in agentgateway syntax', () => {
  let gw: TestGateway;

  before(async () => {
    gw = await startGateway(
      `
gateways:
  default:
    port: 0
routes:
  - name: chaos
    matches: [{ path: { pathPrefix: /chaos } }]
    policies:
      timeout: { requestTimeout: 300ms }
      delay:
        duration: 'request.headers["x-chaos"] == "1" ? 60000 : 0'
      directResponse: { status: 200, body: reached }
  - name: fixed
    matches: [{ path: { pathPrefix: /fixed } }]
    policies:
      timeout: { requestTimeout: 300ms }
      delay: { duration: 60s }
      directResponse: { status: 200, body: reached }
  - name: cel-duration
    matches: [{ path: { pathPrefix: /cel-duration } }]
    policies:
      timeout: { requestTimeout: 300ms }
      delay: { duration: 'duration("60s")' }
      directResponse: { status: 200, body: reached }
  - name: short
    policies:
      delay: { duration: 1ms }
      directResponse: { status: 200, body: reached }
`,
      { name: 'agentgateway-format-delay' },
    );
  });

  after(async () => {
    await gw?.stop();
  });

  test('a CEL delay holds only the requests it selects; a held request meets the route timeout', async () => {
    const plain = await fetch(`${gw.url}/chaos`);
    assert.equal(plain.status, 200);
    assert.equal(await plain.text(), 'reached');
    const held = await fetch(`${gw.url}/chaos`, { headers: { 'x-chaos': '1' } });
    assert.equal(held.status, 504);
    assert.doesNotMatch(await held.text(), /reached/);
  });

  test('a Go duration or a CEL duration delays every request; a short one still reaches the direct response', async () => {
    assert.equal((await fetch(`${gw.url}/fixed`)).status, 504);
    assert.equal((await fetch(`${gw.url}/cel-duration`)).status, 504);
    const short = await fetch(`${gw.url}/other`);
    assert.equal(short.status, 200);
    assert.equal(await short.text(), 'reached');
  });
});

describe('frontendPolicies.networkAuthorization', () => {
  let open: TestGateway;
  let closed: TestGateway;
  let echo: Awaited<ReturnType<typeof tcpEcho>>;
  let openTcp = 0;
  let closedTcp = 0;
  const config = (rule: string, echoHost: string, tcpPort: number) => `
frontendPolicies:
  networkAuthorization:
    rules:
      - allow: '${rule}'
gateways:
  default:
    port: 0
  db:
    port: ${tcpPort}
    protocol: TCP
routes:
  - policies:
      directResponse: { status: 200, body: reached }
tcpRoutes:
  - gateways: [db]
    backends: [{ host: "${echoHost}" }]
`;

  before(async () => {
    echo = await tcpEcho('db');
    openTcp = await freePort();
    open = await startGateway(config('cidr("127.0.0.0/8").containsIP(source.address)', echo.host, openTcp), {
      name: 'network-authz-open',
    });
    closedTcp = await freePort();
    closed = await startGateway(
      config('cidr("10.0.0.0/8").containsIP(source.address)', echo.host, closedTcp),
      { name: 'network-authz-closed' },
    );
  });

  after(async () => {
    await open?.stop();
    await closed?.stop();
    for (const s of echo?.sockets ?? []) s.destroy();
    await new Promise<void>((r) => (echo ? echo.server.close(() => r()) : r()));
  });

  /** What a TCP client reads before the connection ends ('' when closed without a byte). */
  const tcpExchange = (port: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const s = netConnect({ port, host: '127.0.0.1' }, () => s.write('ping'));
      let got = '';
      s.on('data', (d) => {
        got += d.toString();
        s.end();
      });
      s.once('error', reject);
      s.once('close', () => resolve(got));
    });

  test('a source the rules allow reaches HTTP routes and tcpRoutes', async () => {
    const r = await fetch(open.url);
    assert.equal(r.status, 200);
    assert.equal(await r.text(), 'reached');
    assert.equal(await tcpExchange(openTcp), 'db:ping');
  });

  test('any other source has its connection closed without an answer, on HTTP and TCP binds', async () => {
    await assert.rejects(fetch(closed.url));
    assert.equal(await tcpExchange(closedTcp), '');
    // The refusal is in the access log (written once the closed request ends).
    await eventually(() => closed.logs.some((l) => l.error === 'network authorization denied'));
  });
});

describe('MCP targets[].policies', () => {
  let gw: TestGateway;
  let plainA: ServedFixture;
  let tlsB: ServedFixture;
  let plainC: ServedFixture;
  const clients: Client[] = [];

  before(async () => {
    plainA = await startHeadersServer();
    tlsB = await startHeadersServer({
      tls: { cert: readFileSync('test/fixtures/tls/a.crt'), key: readFileSync('test/fixtures/tls/a.key') },
    });
    plainC = await startHeadersServer();
    gw = await startGateway(
      `
gateways:
  default:
    port: 0
routes:
  - policies:
      backendAuth:
        key:
          value: route-key
          location: { header: { name: x-route-key } }
    backends:
      - mcp:
          targets:
            - name: a
              mcp: { host: "${plainA.url}" }
              policies:
                backendAuth: { key: key-a }
            - name: b
              mcp: { host: "${tlsB.url}" }
              policies:
                backendAuth: { key: key-b }
                backendTLS: { root: test/fixtures/tls/a.crt }
            - name: c
              mcp: { host: "${plainC.url}" }
`,
      { name: 'agentgateway-format-target-policies' },
    );
  });

  after(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await gw?.stop();
    await plainA?.close();
    await tlsB?.close();
    await plainC?.close();
  });

  const seen = async (client: Client, tool: string): Promise<Record<string, string>> => {
    const r = await client.callTool({ name: tool, arguments: {} });
    return (r.structuredContent as { headers: Record<string, string> }).headers;
  };

  test("a target's own backendAuth replaces the route's; its own backendTLS reaches a self-signed upstream", async () => {
    const client = await connect(`${gw.url}/mcp`);
    clients.push(client);
    const a = await seen(client, 'a_get_headers');
    assert.equal(a.authorization, 'Bearer key-a');
    assert.equal(a['x-route-key'], undefined);
    const b = await seen(client, 'b_get_headers');
    assert.equal(b.authorization, 'Bearer key-b');
    assert.equal(b['x-route-key'], undefined);
    const c = await seen(client, 'c_get_headers');
    assert.equal(c['x-route-key'], 'route-key');
    assert.equal(c.authorization, undefined);
    // No request to a or b (initialize, notifications, GET streams included) carried the route's key.
    for (const up of [plainA, tlsB]) {
      assert.ok(up.requests.length > 0);
      assert.ok(up.requests.every((q) => q.headers['x-route-key'] === undefined));
    }
  });
});

describe('localRateLimit type tokens (LLM tokens) on a route without LLM backends', () => {
  let gw: TestGateway;

  before(async () => {
    gw = await startGateway(
      `
gateways:
  default:
    port: 0
routes:
  - name: mixed
    matches: [{ path: { pathPrefix: /mixed } }]
    policies:
      localRateLimit:
        - { maxTokens: 1, tokensPerFill: 1, fillInterval: 1h, type: tokens }
        - { maxTokens: 2, tokensPerFill: 1, fillInterval: 1h, type: requests }
      directResponse: { status: 200, body: ok }
  - name: only-tokens
    policies:
      localRateLimit:
        - { maxTokens: 1, tokensPerFill: 1, fillInterval: 1h, type: tokens }
      directResponse: { status: 200, body: ok }
`,
      { name: 'agentgateway-format-token-buckets' },
    );
  });

  after(async () => {
    await gw?.stop();
  });

  test('the tokens bucket never limits (a load warning says so); the requests bucket beside it does', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${gw.url}/mixed`)).status);
    assert.deepEqual(statuses, [200, 200, 429]);
    for (let i = 0; i < 3; i++) assert.equal((await fetch(`${gw.url}/other`)).status, 200);
    assert.ok(gw.logs.some((l) => /type tokens counts LLM tokens/.test(JSON.stringify(l))));
  });
});
