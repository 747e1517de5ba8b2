/**
 * Sealed session ids in-process: two gateways with the same PORTCULLIS_SESSION_KEY in front of one real
 * Streamable HTTP MCP server. A session initialized through A continues through B without a new
 * `initialize` upstream; the id is bound to its caller; forged, foreign-key and stdio-pinned ids are
 * answered 404 like unknown ones; DELETE through B deletes the upstream session and the id is over.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { eventually, startGateway, type TestGateway } from '../helpers/gateway.js';
import { scrape } from '../helpers/metrics.js';
import { SessionKeyring } from '../../src/mcp/session/session-token.js';
import {
  bearer,
  callTool,
  createUpstreamServer,
  jwtAuthYaml,
  makeSigner,
  openSession,
  rpc,
  type Signer,
} from '../e2e/helpers.js';
import { serveHttp, type ServedFixture } from '../fixtures/serve.js';
import { fixturePath } from '../fixtures/spawn.js';

const KEY = randomBytes(32).toString('base64');

function config(upstream: string, signer: Signer): string {
  return `binds:
- port: 0
  listeners:
  - routes:
    - matches: [{path: {pathPrefix: /auth}}]
      policies:
${jwtAuthYaml(signer)}      backends:
      - mcp:
          targets:
          - name: up
            mcp: {host: "${upstream}"}
    - matches: [{path: {pathPrefix: /pinned}}]
      backends:
      - mcp:
          targets:
          - name: up
            mcp: {host: "${upstream}"}
          - name: seed
            stdio: {cmd: "${process.execPath}", args: ["--import", "tsx", "${fixturePath('seed-server.ts')}", "--stdio"]}
    - backends:
      - mcp:
          targets:
          - name: up
            mcp: {host: "${upstream}"}
          - name: two
            mcp: {host: "${upstream}"}
`;
}

const initializes = (u: ServedFixture): number =>
  u.requests.filter((r) => r.rpcMethod === 'initialize').length;
const text = (r: { message: Record<string, unknown> | undefined }): string | undefined =>
  (r.message?.['result'] as { content?: { text?: string }[] } | undefined)?.content?.[0]?.text;

describe('sealed session ids: any replica with the key continues a session', () => {
  let upstream: ServedFixture;
  let signer: Signer;
  let a: TestGateway;
  let b: TestGateway;
  let other: TestGateway;

  before(async () => {
    upstream = await serveHttp(() => createUpstreamServer());
    signer = await makeSigner();
    const yaml = config(upstream.url, signer);
    a = await startGateway(yaml, { env: { PORTCULLIS_SESSION_KEY: KEY }, name: 'sealed-a' });
    b = await startGateway(yaml, { env: { PORTCULLIS_SESSION_KEY: KEY }, name: 'sealed-b' });
    other = await startGateway(yaml, {
      env: { PORTCULLIS_SESSION_KEY: randomBytes(32).toString('base64') },
      name: 'sealed-other-key',
    });
  });
  after(async () => {
    for (const g of [a, b, other]) await g?.stop();
    await upstream?.close();
  });

  test('a session initialized through A continues through B with no new upstream initialize', async () => {
    const s = await openSession(`${a.url}/mcp`);
    const id = s.id;
    // The id is the sealed state: it opens with the key and names the route backend and both targets.
    const state = SessionKeyring.fromSource({ keys: KEY })!.open(id);
    assert.ok(state, 'the id opens with the shared key');
    assert.deepEqual(
      state.t.map((t) => [t[0], t[2]]),
      [
        ['up', upstream.url],
        ['two', upstream.url],
      ],
    );
    assert.ok(
      state.t.every((t) => t[1] !== ''),
      'each target carries its upstream session id',
    );
    assert.equal(state.b, '', 'anonymous session');
    const before = initializes(upstream);
    const r = await callTool(`${b.url}/mcp`, s, 'up_echo', { message: 'moved' });
    assert.equal(r.status, 200, r.text);
    assert.equal(text(r), 'Echo: moved');
    assert.equal(r.headers.get('mcp-session-id'), id, 'the same id is echoed');
    assert.equal(initializes(upstream), before, 'no initialize reached the upstream');
    assert.equal(await scrape(b.statsUrl, 'portcullis_mcp_session_resume_total', { result: 'resumed' }), 1);
    // B now holds it: the next request is a local hit, not another resume.
    assert.equal((await callTool(`${b.url}/mcp`, s, 'two_echo', { message: 'x' })).status, 200);
    assert.equal(await scrape(b.statsUrl, 'portcullis_mcp_session_resume_total', { result: 'resumed' }), 1);
    // …and back on A, still its own session.
    assert.equal(text(await callTool(`${a.url}/mcp`, s, 'up_echo', { message: 'back' })), 'Echo: back');
  });

  test('forged, truncated, foreign-key and oversized ids are 404 like unknown ones, and counted', async () => {
    const s = await openSession(`${a.url}/mcp`);
    const invalidBefore = await scrape(b.statsUrl, 'portcullis_mcp_session_resume_total', {
      result: 'invalid',
    });
    const flipped = Buffer.from(s.id, 'base64url');
    flipped[flipped.length - 3] = flipped[flipped.length - 3]! ^ 1;
    const ids = [
      flipped.toString('base64url'),
      s.id.slice(0, -10),
      '00000000-0000-4000-8000-000000000000',
      'A'.repeat(5000),
    ];
    for (const id of ids) {
      const r = await callTool(
        `${b.url}/mcp`,
        { headers: { ...s.headers, 'mcp-session-id': id } },
        'up_echo',
        {
          message: 'x',
        },
      );
      assert.equal(r.status, 404, `${id.slice(0, 20)}…: ${r.text}`);
      assert.equal((r.message?.['error'] as { code?: number })?.code, -32001);
    }
    const foreign = await callTool(`${other.url}/mcp`, s, 'up_echo', { message: 'x' });
    assert.equal(foreign.status, 404, 'a gateway with another key cannot open it');
    assert.equal(
      (await scrape(b.statsUrl, 'portcullis_mcp_session_resume_total', { result: 'invalid' })) -
        invalidBefore,
      ids.length,
    );
  });

  test('an id older than limits.sessionMaxLifetime (default 24 h) does not move', async () => {
    const s = await openSession(`${a.url}/mcp`);
    const ring = SessionKeyring.fromSource({ keys: KEY })!;
    const state = ring.open(s.id)!;
    const old = ring.seal({ ...state, i: state.i - 24 * 3600 - 5 });
    const aged = { headers: { ...s.headers, 'mcp-session-id': old } };
    assert.equal((await callTool(`${b.url}/mcp`, aged, 'up_echo', { message: 'x' })).status, 404);
    assert.equal(await scrape(b.statsUrl, 'portcullis_mcp_session_resume_total', { result: 'expired' }), 1);
    const young = { headers: { ...s.headers, 'mcp-session-id': ring.seal({ ...state, i: state.i - 3600 }) } };
    assert.equal(text(await callTool(`${b.url}/mcp`, young, 'up_echo', { message: 'x' })), 'Echo: x');
  });

  test('the id is bound to its caller: another identity, or none, gets 404 on B (no oracle)', async () => {
    const alice = bearer(await signer.token('alice'));
    const s = await openSession(`${a.url}/auth`, alice);
    const state = SessionKeyring.fromSource({ keys: KEY })!.open(s.id)!;
    assert.notEqual(state.b, '');
    assert.ok(!state.b.includes('alice') && !s.id.includes('alice'), 'the binding is a digest');
    const asBob = { headers: { ...s.headers, ...bearer(await signer.token('bob')) } };
    assert.equal((await callTool(`${b.url}/auth`, asBob, 'echo', { message: 'x' })).status, 404);
    const anonymous = { headers: { 'mcp-session-id': s.id, 'mcp-protocol-version': '2025-06-18' } };
    const noToken = await callTool(`${b.url}/mcp`, anonymous, 'up_echo', { message: 'x' });
    assert.equal(noToken.status, 404, 'without the token, on any route');
    assert.equal(await scrape(b.statsUrl, 'portcullis_mcp_session_resume_total', { result: 'identity' }), 2);
    // A fresh token of the same principal continues it.
    const again = { headers: { ...s.headers, ...bearer(await signer.token('alice')) } };
    assert.equal(text(await callTool(`${b.url}/auth`, again, 'echo', { message: 'me' })), 'Echo: me');
  });

  test('a session with a stdio target stays where it is: 404 elsewhere, then a new session works', async () => {
    const s = await openSession(`${a.url}/pinned`);
    assert.deepEqual(SessionKeyring.fromSource({ keys: KEY })!.open(s.id)!.l, ['seed']);
    const r = await callTool(`${b.url}/pinned`, s, 'seed_echo', { message: 'x' });
    assert.equal(r.status, 404, r.text);
    assert.equal(await scrape(b.statsUrl, 'portcullis_mcp_session_resume_total', { result: 'pinned' }), 1);
    assert.equal(text(await callTool(`${a.url}/pinned`, s, 'seed_echo', { message: 'x' })), 'Echo: x');
    const fresh = await openSession(`${b.url}/pinned`);
    assert.equal(text(await callTool(`${b.url}/pinned`, fresh, 'seed_echo', { message: 'y' })), 'Echo: y');
    for (const [g, sess] of [
      [a, s],
      [b, fresh],
    ] as const)
      await fetch(`${g.url}/pinned`, { method: 'DELETE', headers: sess.headers });
  });

  test('DELETE through B ends the upstream sessions; the id is then 404 on B and on a fresh replica', async () => {
    const s = await openSession(`${a.url}/mcp`);
    const upstreamIds = SessionKeyring.fromSource({ keys: KEY })!
      .open(s.id)!
      .t.map((t) => t[1]);
    const del = await fetch(`${b.url}/mcp`, { method: 'DELETE', headers: s.headers });
    assert.equal(del.status, 204);
    const deleted = upstream.requests.filter(
      (r) => r.method === 'DELETE' && upstreamIds.includes(String(r.headers['mcp-session-id'])),
    );
    assert.equal(deleted.length, 2, 'both upstream sessions were DELETEd');
    assert.equal((await callTool(`${b.url}/mcp`, s, 'up_echo', { message: 'x' })).status, 404);
    // A replica that never held it resumes it, and the upstream's 404 becomes the client's 404.
    const c = await startGateway(config(upstream.url, signer), {
      env: { PORTCULLIS_SESSION_KEY: KEY },
      name: 'sealed-c',
    });
    try {
      const r = await callTool(`${c.url}/mcp`, s, 'up_echo', { message: 'x' });
      assert.equal(r.status, 404, r.text);
      assert.equal((await callTool(`${c.url}/mcp`, s, 'up_echo', { message: 'x' })).status, 404);
    } finally {
      await c.stop();
    }
  });

  test('initialize on an unknown id is still refused, and stateless-era POSTs need no id', async () => {
    const r = await rpc(
      `${b.url}/mcp`,
      { jsonrpc: '2.0', id: 1, method: 'ping' },
      { 'mcp-session-id': 'nope', 'mcp-protocol-version': '2025-06-18' },
    );
    assert.equal(r.status, 404);
  });
});

describe('a movable session outlives the copy of one replica', () => {
  let upstream: ServedFixture;
  const deletes = (): number => upstream.requests.filter((r) => r.method === 'DELETE').length;

  before(async () => {
    upstream = await serveHttp(() => createUpstreamServer());
  });
  after(async () => {
    await upstream?.close();
  });

  test('idle expiry and shutdown close the replica copy only: no upstream DELETE, another replica goes on', async () => {
    const yaml = (limits: string) => `config:
  limits: ${limits}
binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
          targets:
          - name: up
            mcp: {host: "${upstream.url}"}
`;
    const env = { PORTCULLIS_SESSION_KEY: KEY };
    const a = await startGateway(yaml('{sessionIdleTimeout: 300ms}'), { env, name: 'sealed-idle-a' });
    const b = await startGateway(yaml('{}'), { env, name: 'sealed-idle-b' });
    try {
      const s = await openSession(`${a.url}/mcp`);
      const before = deletes();
      await eventually(
        async () => (await scrape(a.statsUrl, 'portcullis_mcp_sessions_expired_total')) === 1,
        5000,
      );
      assert.equal(deletes(), before, 'idle expiry of a movable session sends no upstream DELETE');
      assert.equal(text(await callTool(`${b.url}/mcp`, s, 'echo', { message: 'on' })), 'Echo: on');
      // Shutdown of the replica holding it now: the upstream session stays for the others.
      await b.stop();
      assert.equal(deletes(), before, 'shutdown sends no upstream DELETE either');
      assert.equal(text(await callTool(`${a.url}/mcp`, s, 'echo', { message: 'again' })), 'Echo: again');
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
