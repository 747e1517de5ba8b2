/**
 * extAuthz `cache` through the running gateway, with a real ext_authz gRPC service and an HTTP one
 * started here: decisions reused per CEL key, denials too, failures and uncacheable answers never,
 * expiry after `ttl`, the `maxEntries` bound, the access-log field and the metric.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { findIssue, loadError } from '../config/helpers.js';
import { startAuthzServer, type CheckRequestSeen, type FakeGrpcService } from '../helpers/envoy-services.js';
import { eventually, startGateway, type TestGateway } from '../helpers/gateway.js';

const userOf = (c: CheckRequestSeen) => c.attributes.request?.http?.headers?.['x-user'];

function yaml(extAuthz: string, backend: string): string {
  return `binds:
- port: 0
  listeners:
  - routes:
    - policies:
        extAuthz:
${extAuthz}
      backends:
      - host: ${backend}
`;
}

async function metric(gw: TestGateway, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${gw.statsUrl}/metrics`)).text();
  const m = pattern.exec(text);
  return m ? Number(m[1]) : 0;
}

describe('extAuthz decision cache', () => {
  let backend: Server;
  let backendHost = '';
  let authz: FakeGrpcService<CheckRequestSeen, unknown>;
  let http: Server;
  let httpHost = '';
  let httpCalls = 0;
  const gateways: TestGateway[] = [];
  before(async () => {
    backend = createServer((_req, res) => res.end('backend'));
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    backendHost = `127.0.0.1:${(backend.address() as { port: number }).port}`;
    authz = await startAuthzServer((req) => {
      if (userOf(req) === 'broken') throw new Error('service trouble');
      return userOf(req) === 'evil'
        ? { status: { code: 7 }, denied_response: { status: { code: 403 }, body: 'no' } }
        : { status: { code: 0 } };
    });
    http = createServer((req, res) => {
      httpCalls++;
      const user = req.headers['x-user'];
      res.writeHead(user === 'evil' ? 403 : user === 'flaky' ? 500 : 200);
      res.end();
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    httpHost = `127.0.0.1:${(http.address() as { port: number }).port}`;
  });
  after(async () => {
    for (const g of gateways) await g.stop();
    await authz.close();
    backend.close();
    http.close();
  });
  const boot = async (extAuthz: string): Promise<TestGateway> => {
    const g = await startGateway(yaml(extAuthz, backendHost), { name: 'ext-authz-cache' });
    gateways.push(g);
    return g;
  };
  const get = async (gw: TestGateway, user?: string): Promise<number> => {
    const r = await fetch(`${gw.url}/x`, { headers: user ? { 'x-user': user } : {} });
    await r.body?.cancel();
    return r.status;
  };
  const asked = (user: string) => authz.calls.filter((c) => userOf(c) === user).length;

  test('gRPC: allows and denials are reused per key; an unevaluable key and failures are never cached', async () => {
    const gw = await boot(`          host: ${authz.host}
          cache:
            key: ['request.headers["x-user"]']
            ttl: 1h`);
    assert.equal(await get(gw, 'alice'), 200);
    assert.equal(await get(gw, 'alice'), 200);
    assert.equal(asked('alice'), 1);
    assert.equal(await get(gw, 'bob'), 200);
    assert.equal(asked('bob'), 1);
    assert.equal(await get(gw, 'evil'), 403);
    assert.equal(await get(gw, 'evil'), 403);
    assert.equal(asked('evil'), 1);
    // The service failed: failureMode decides, nothing is cached, the next request asks again.
    assert.equal(await get(gw, 'broken'), 403);
    assert.equal(await get(gw, 'broken'), 403);
    assert.equal(asked('broken'), 2);
    // No x-user header: the key fails to evaluate, so every such request asks the service.
    const before = authz.calls.length;
    await get(gw);
    await get(gw);
    assert.equal(authz.calls.length, before + 2);
    const hit = await eventually(() => gw.logs.find((l) => l['extauthz.cache'] === 'hit'));
    assert.ok(hit['extauthz.decision']);
    assert.ok((await metric(gw, /^portcullis_extauthz_checks_total\{result="cache_allow"\} (\d+)/m)) >= 1);
    assert.ok((await metric(gw, /^portcullis_extauthz_checks_total\{result="cache_deny"\} (\d+)/m)) >= 1);
  });

  test('entries expire after ttl; maxEntries bounds the keys (the oldest goes first)', async () => {
    const short = await boot(`          host: ${authz.host}
          cache:
            key: ['request.headers["x-user"]']
            ttl: 200ms`);
    assert.equal(await get(short, 'carol'), 200);
    // Asked again once the entry expired (polled: no sleep is asserted).
    await eventually(async () => {
      await get(short, 'carol');
      return asked('carol') >= 2 || undefined;
    });

    const small = await boot(`          host: ${authz.host}
          cache:
            key: ['request.headers["x-user"]']
            ttl: 1h
            maxEntries: 2`);
    for (const u of ['u1', 'u2', 'u3']) await get(small, u);
    await get(small, 'u3');
    await get(small, 'u2');
    assert.equal(asked('u3'), 1);
    assert.equal(asked('u2'), 1);
    // u1 was evicted when u3 came in.
    await get(small, 'u1');
    assert.equal(asked('u1'), 2);
  });

  test('HTTP mode: 2xx and 401/403 answers are cached, other statuses are not', async () => {
    const gw = await boot(`          host: ${httpHost}
          protocol: {http: {}}
          includeRequestHeaders: [x-user]
          cache:
            key: ['request.headers["x-user"]']
            ttl: 1h`);
    const start = httpCalls;
    assert.equal(await get(gw, 'dave'), 200);
    assert.equal(await get(gw, 'dave'), 200);
    assert.equal(await get(gw, 'evil'), 403);
    assert.equal(await get(gw, 'evil'), 403);
    assert.equal(httpCalls - start, 2);
    assert.equal(await get(gw, 'flaky'), 500);
    assert.equal(await get(gw, 'flaky'), 500);
    assert.equal(httpCalls - start, 4);
  });

  test('a CEL ttl is refused at load as not supported yet', () => {
    const err = loadError(
      yaml(
        `          host: localhost:9191
          cache:
            key: ['request.path']
            ttl: 'duration("5s")'`,
        'localhost:8080',
      ).replace('port: 0', 'port: 3000'),
    );
    assert.match(
      findIssue(err, 'binds[0].listeners[0].routes[0].policies.extAuthz.cache.ttl').message,
      /not supported yet: a CEL ttl/,
    );
  });
});
