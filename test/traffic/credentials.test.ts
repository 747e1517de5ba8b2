/**
 * apiKey and basicAuth through the running gateway: 401 + challenge, identities that CEL rules,
 * per-identity rate limits and MCP sessions key on, credentials kept from the upstream, and a flood of
 * wrong bcrypt passwords that stays bounded.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { startHeadersServer } from '../fixtures/headers-server.js';
import type { ServedFixture } from '../fixtures/serve.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { connect } from '../helpers/mcp-client.js';

const INIT = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
});
const post = (url: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: INIT,
  });
/** The config expands `$NAME`: a literal `$` in inline htpasswd is written `$$`. */
const dollars = (s: string) => s.replaceAll('$', '$$$$');
const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;

async function headersSeen(url: string, auth: Record<string, string>): Promise<Record<string, string>> {
  const client = await connect(`${url}/mcp`, { headers: auth });
  const r = (await client.callTool({ name: 'get_headers', arguments: {} })) as unknown as {
    structuredContent: { headers: Record<string, string> };
  };
  await client.close();
  return r.structuredContent.headers;
}

describe('basicAuth', () => {
  let upstream: ServedFixture;
  let gw: TestGateway;
  before(async () => {
    upstream = await startHeadersServer();
    const alice = bcrypt.hashSync('wonderland', 4).replace(/^\$2b\$/, '$2y$');
    const bob = `{SHA}${createHash('sha1').update('builder').digest('base64')}`;
    const dave = `{SHA}${createHash('sha1').update('diver').digest('base64')}`;
    const carol = '$apr1$abcdefgh$h9FWgUz3n9YxylKLlR5SQ/'; // openssl passwd -apr1 -salt abcdefgh secret
    gw = await startGateway(
      `binds:
- port: 0
  listeners:
  - routes:
    - policies:
        basicAuth:
          mode: strict
          realm: mcp tools
          htpasswd: |
            alice:${dollars(alice)}
            bob:${dollars(bob)}
            carol:${dollars(carol)}
            dave:${dollars(dave)}
        authorization:
          rules:
          - 'basicAuth.username != "bob" || request.method == "GET"'
        localRateLimit:
        - maxTokens: 20
          fillInterval: 1h
          key: basicAuth.username
      backends:
      - mcp:
          targets:
          - name: h
            mcp:
              host: ${upstream.url}
`,
      { name: 'basic-auth' },
    );
  });
  after(async () => {
    await gw.stop();
    await upstream.close();
  });

  test('no or wrong credentials: 401 with the Basic challenge', async () => {
    const none = await post(gw.url);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Basic realm="mcp tools"');
    assert.match(await none.text(), /basic authentication failure/);
    for (const h of [basic('alice', 'nope'), basic('mallory', 'x'), 'Basic !!!notbase64', 'Bearer abc']) {
      const r = await post(gw.url, { authorization: h });
      assert.equal(r.status, 401, h);
      await r.body?.cancel();
    }
  });

  test('bcrypt ($2y$), {SHA} and $apr1$ users get in; the upstream never sees the credential', async () => {
    const seen = await headersSeen(gw.url, { authorization: basic('alice', 'wonderland') });
    assert.equal(seen['authorization'], undefined);
    const r = await post(gw.url, { authorization: basic('carol', 'secret') });
    assert.equal(r.status, 200);
    await r.body?.cancel();
    // bob authenticates, and the CEL rule on basicAuth.username refuses him.
    const b = await post(gw.url, { authorization: basic('bob', 'builder') });
    assert.equal(b.status, 403);
    await b.body?.cancel();
  });

  test('the rate limit keys on the basicAuth user', async () => {
    for (let i = 0; i < 20; i++) {
      const r = await post(gw.url, { authorization: basic('dave', 'diver') });
      assert.equal(r.status, 200);
      await r.body?.cancel();
    }
    const limited = await post(gw.url, { authorization: basic('dave', 'diver') });
    assert.equal(limited.status, 429);
    await limited.body?.cancel();
    const other = await post(gw.url, { authorization: basic('carol', 'secret') });
    assert.equal(other.status, 200);
    await other.body?.cancel();
  });

  test('hostile: a flood of wrong passwords is answered (401 or 503), and the gateway keeps serving', async () => {
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) => post(gw.url, { authorization: basic('alice', `guess${i}`) })),
    );
    for (const r of answers) {
      assert.ok(r.status === 401 || r.status === 503, String(r.status));
      await r.body?.cancel();
    }
    const metrics = await (await fetch(`${gw.statsUrl}/metrics`)).text();
    assert.match(metrics, /portcullis_credential_checks_total\{policy="basicAuth",result="refused"\} \d+/);
  });
});

describe('apiKey', () => {
  let upstream: ServedFixture;
  let gw: TestGateway;
  const engKey = 'eng-key-0123456789';
  before(async () => {
    upstream = await startHeadersServer();
    const hash = createHash('sha256').update(engKey).digest('hex');
    gw = await startGateway(
      `binds:
- port: 0
  listeners:
  - routes:
    - name: strict
      matches: [{path: {pathPrefix: /mcp}}]
      policies:
        apiKey:
          mode: strict
          keys:
          - key: admin-key-0123456789
            metadata: {group: admin, name: ada}
          - keyHash: sha256:${hash}
            metadata: {group: eng}
        authorization:
          rules:
          - 'apiKey.group == "admin" || request.path != "/mcp"'
        requestHeaderModifier:
          set: {authorization: Bearer for-upstream}
      backends:
      - mcp:
          targets:
          - name: h
            mcp:
              host: ${upstream.url}
    - name: query
      matches: [{path: {pathPrefix: /q}}]
      policies:
        apiKey:
          location: {queryParameter: {name: key}}
          keys:
          - key: q-key
        authorization:
          rules:
          - 'apiKey != null'
      backends:
      - mcp:
          targets:
          - name: h
            mcp:
              host: ${upstream.url}
`,
      { name: 'api-key' },
    );
  });
  after(async () => {
    await gw.stop();
    await upstream.close();
  });

  test('strict: missing or unknown key → 401; the key’s metadata drives CEL rules', async () => {
    const none = await post(gw.url);
    assert.equal(none.status, 401);
    assert.match(await none.text(), /no API Key found/);
    const wrong = await post(gw.url, { authorization: 'Bearer nope' });
    assert.equal(wrong.status, 401);
    assert.match(await wrong.text(), /invalid credentials/);
    const eng = await post(gw.url, { authorization: `Bearer ${engKey}` });
    assert.equal(eng.status, 403);
    await eng.body?.cancel();
    const seen = await headersSeen(gw.url, { authorization: 'Bearer admin-key-0123456789' });
    // The caller's key is removed; what requestHeaderModifier sets for the upstream is kept.
    assert.equal(seen['authorization'], 'Bearer for-upstream');
    const line = gw.logs.find(
      (l) => typeof l['jwt.sub'] === 'string' && String(l['jwt.sub']).startsWith('apikey:'),
    );
    assert.ok(line, 'the access log names the key by its digest, never the key');
    assert.ok(!JSON.stringify(gw.logs).includes('admin-key-0123456789'));
  });

  test('a query-parameter key is accepted and removed before the upstream', async () => {
    const r = await fetch(`${gw.url}/q?key=q-key`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: INIT,
    });
    assert.equal(r.status, 200);
    await r.body?.cancel();
    const anon = await fetch(`${gw.url}/q`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: INIT,
    });
    assert.equal(anon.status, 403); // optional mode: no key passes authentication, the rule refuses
    await anon.body?.cancel();
    assert.ok(upstream.requests.every((q) => !q.url.includes('q-key')));
  });
});
