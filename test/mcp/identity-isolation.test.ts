/**
 * Identity isolation, through the whole gateway with real JWTs (jose) and a real stdio fixture:
 * - sessions are bound to the whole verified identity: principals without a string `sub` do not share;
 * - on shared upstream connections (`statefulMode: stateless`), tasks are refused — an anonymous caller
 *   cannot list or read a task another identity created — and the capability is not advertised;
 * - a log notification that names no request is never delivered to whichever request is in flight.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey } from 'jose';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { call, initBody, stdioTarget } from './limits-helpers.js';
import { raw } from './raw.js';

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'portcullis-test';

describe('identity isolation', () => {
  let key: CryptoKey;
  let jwks: string;
  let gw: TestGateway;
  const sign = (claims: Record<string, unknown>, iat = Math.floor(Date.now() / 1000)): Promise<string> =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 600)
      .sign(key);

  before(async () => {
    const pair = await generateKeyPair('ES256');
    key = pair.privateKey;
    jwks = JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' }] });
    const { stdio } = stdioTarget();
    gw = await startGateway(
      `
binds:
- port: 0
  listeners:
  - routes:
    - name: stateful
      matches: [{ path: { pathPrefix: /stateful } }]
      policies:
        jwtAuth: { mode: optional, issuer: ${ISSUER}, audiences: [${AUDIENCE}], jwks: ${JSON.stringify(jwks)} }
      backends:
      - mcp:
          targets:
          - name: limits
            stdio: ${stdio}
    - name: shared
      matches: [{ path: { pathPrefix: /shared } }]
      policies:
        jwtAuth: { mode: optional, issuer: ${ISSUER}, audiences: [${AUDIENCE}], jwks: ${JSON.stringify(jwks)} }
        mcpAuthorization:
          rules:
          - 'mcp.tool.name == "big" || mcp.tool.name == "wait" || mcp.tool.name == "stash"'
          - 'jwt.sub == "alice"'
      backends:
      - mcp:
          statefulMode: stateless
          targets:
          - name: limits
            stdio: ${stdio}
`,
      { name: 'mcp-identity-isolation' },
    );
  });
  after(() => gw.stop());

  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

  it('principals without a string sub are told apart by a digest of their verified claims', async () => {
    const alice = await sign({ email: 'alice@example.com' });
    const bob = await sign({ email: 'bob@example.com' });
    const init = await raw(`${gw.url}/stateful/mcp`, { body: initBody(1), headers: bearer(alice) });
    assert.equal(init.status, 200, init.text);
    const session = init.headers.get('mcp-session-id') ?? '';
    const as = (token: string) =>
      raw(`${gw.url}/stateful/mcp`, {
        body: call(2, 'big', { bytes: 3 }),
        headers: { ...bearer(token), 'mcp-session-id': session },
      });
    const stolen = await as(bob);
    assert.equal(stolen.status, 403, stolen.text);
    assert.equal((stolen.json?.error as { code: number }).code, -32003);
    // The same principal with a refreshed token (other iat/exp) keeps its session.
    const refreshed = await sign({ email: 'alice@example.com' }, Math.floor(Date.now() / 1000) - 5);
    assert.notEqual(refreshed, alice);
    assert.equal((await as(refreshed)).status, 200);
  });

  it('a numeric sub is not a string sub: two such principals do not share a session', async () => {
    const one = await sign({ sub: 42 });
    const two = await sign({ sub: 43 });
    const init = await raw(`${gw.url}/stateful/mcp`, { body: initBody(1), headers: bearer(one) });
    assert.equal(init.status, 200, init.text);
    const r = await raw(`${gw.url}/stateful/mcp`, {
      body: call(2, 'big', { bytes: 3 }),
      headers: { ...bearer(two), 'mcp-session-id': init.headers.get('mcp-session-id') ?? '' },
    });
    assert.equal(r.status, 403);
  });

  it('shared connections: tasks are not advertised, tasks/* are refused for everyone, task-augmented calls run in-line', async () => {
    const alice = await sign({ sub: 'alice' });
    const init = await raw(`${gw.url}/shared/mcp`, { body: initBody(1) });
    const caps = (init.json?.result as { capabilities: Record<string, unknown> }).capabilities;
    assert.equal(caps.tasks, undefined, JSON.stringify(caps));
    // Alice may call "secret"; asked for a task, she gets the answer itself (no task id to leak).
    const own = await raw(`${gw.url}/shared/mcp`, {
      body: { ...call(2, 'secret'), params: { name: 'secret', arguments: {}, task: { ttl: 60000 } } },
      headers: bearer(alice),
    });
    assert.match(own.text, /the secret/);
    assert.doesNotMatch(own.text, /task-of-alice/);
    for (const [method, params] of [
      ['tasks/list', {}],
      ['tasks/get', { taskId: 'task-of-alice' }],
      ['tasks/result', { taskId: 'task-of-alice' }],
      ['tasks/cancel', { taskId: 'task-of-alice' }],
    ] as const) {
      for (const headers of [{}, bearer(alice)]) {
        const r = await raw(`${gw.url}/shared/mcp`, {
          body: { jsonrpc: '2.0', id: 9, method, params },
          headers,
        });
        assert.equal((r.json?.error as { code: number } | undefined)?.code, -32601, `${method}: ${r.text}`);
        assert.doesNotMatch(r.text, /secret|task-of-alice/);
      }
    }
  });

  it('shared connections: a log notification that names no request reaches no other caller', async () => {
    // Bob's call leaves a log message behind in the upstream; it is emitted while Alice's request is in
    // flight — the only request there is — and must not reach her.
    const stash = await raw(`${gw.url}/shared/mcp`, { body: call(1, 'stash', { text: 'bob-private-log' }) });
    assert.equal(stash.status, 200);
    const alice = await raw(`${gw.url}/shared/mcp`, {
      body: call(2, 'wait', { ms: 0 }),
      headers: { accept: 'text/event-stream, application/json', ...bearer(await sign({ sub: 'alice' })) },
    });
    assert.match(alice.text, /waited/);
    assert.doesNotMatch(alice.text, /bob-private-log/);
    assert.equal(alice.messages.filter((m) => m.method === 'notifications/message').length, 0);
  });
});
