/**
 * Sessions: bound to the identity that created them, idle expiry that reaps stdio children, reload
 * retention, process hygiene over 50 sessions and at shutdown, server-initiated messages buffered for the
 * GET stream and replayed with Last-Event-ID, cancellation, timeouts and dying upstreams.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { createFlakyServer } from '../fixtures/flaky-server.js';
import { serveHttp } from '../fixtures/serve.js';
import {
  alive,
  everythingStdio,
  fixtureStdio,
  httpTarget,
  startHarness,
  target,
  until,
  type Harness,
} from './harness.js';
import { servePaged } from './paged-server.js';
import { INIT, raw, rpcError } from './raw.js';

/** A minimal stdio MCP server (plain node, starts in milliseconds) for the process-count tests. */
const TINY = new URL('./tiny-stdio-server.mjs', import.meta.url).pathname;

async function init(h: Harness, headers: Record<string, string> = {}, body: unknown = INIT): Promise<string> {
  const r = await raw(`${h.url}/mcp`, { body, headers });
  assert.equal(r.status, 200, r.text);
  const id = r.headers.get('mcp-session-id');
  assert.ok(id);
  return id;
}

function pidsOf(h: Harness, sessionId?: string): number[] {
  return h.service
    .sessions()
    .filter((s) => sessionId === undefined || s.id === sessionId)
    .flatMap((s) => s.targets.flatMap((t) => (t.pid === undefined ? [] : [t.pid])));
}

describe('sessions', () => {
  it('are bound to the identity that created them (403 otherwise)', async () => {
    const paged = await servePaged('p', 2);
    const h = await startHarness({ targets: [httpTarget('p', paged.url)] });
    try {
      const list = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
      const alice = await init(h, { 'x-test-sub': 'alice' });
      const as = (headers: Record<string, string>) =>
        raw(`${h.url}/mcp`, { body: list, headers: { 'mcp-session-id': alice, ...headers } });
      assert.equal((await as({ 'x-test-sub': 'alice' })).status, 200);
      const others: Record<string, string>[] = [
        { 'x-test-sub': 'bob' },
        {},
        { 'x-test-sub': 'alice', 'x-test-iss': 'https://other.test' },
      ];
      for (const headers of others) {
        const r = await as(headers);
        assert.equal(r.status, 403, JSON.stringify(headers));
        assert.equal(rpcError(r)?.code, -32003);
        assert.match(rpcError(r)?.message ?? '', /another identity/);
      }
      const get = await raw(`${h.url}/mcp`, {
        method: 'GET',
        headers: { 'mcp-session-id': alice, 'x-test-sub': 'bob', accept: 'text/event-stream' },
      });
      assert.equal(get.status, 403);
      const del = await raw(`${h.url}/mcp`, {
        method: 'DELETE',
        headers: { 'mcp-session-id': alice, 'x-test-sub': 'bob' },
      });
      assert.equal(del.status, 403);

      const anon = await init(h);
      const withToken = await raw(`${h.url}/mcp`, {
        body: list,
        headers: { 'mcp-session-id': anon, 'x-test-sub': 'alice' },
      });
      assert.equal(withToken.status, 403, 'a session created without an identity accepts none');
      assert.equal(h.service.sessions().find((s) => s.id === alice)?.sub, 'alice');
    } finally {
      await h.close();
      await paged.close();
    }
  });

  it('expire when idle, and their stdio children are reaped', async () => {
    const h = await startHarness({ targets: [everythingStdio('e')], config: { sessionIdleTtlMs: 300 } });
    try {
      const id = await init(h);
      const [pid] = pidsOf(h, id);
      assert.ok(pid !== undefined && alive(pid));
      await until(() => !alive(pid) && h.service.sessions().length === 0, 10_000, 'idle session reaped');
      const r = await raw(`${h.url}/mcp`, {
        body: { jsonrpc: '2.0', id: 2, method: 'tools/list' },
        headers: { 'mcp-session-id': id },
      });
      assert.equal(r.status, 404);
    } finally {
      await h.close();
    }
  });

  it('of a backend removed by a reload are closed (children reaped); others stay', async () => {
    const h = await startHarness({ targets: [everythingStdio('e')] });
    try {
      const id = await init(h);
      const [pid] = pidsOf(h, id);
      await h.service.retainBackends(new Set([h.backend.key]));
      assert.ok(alive(pid!), 'unchanged backend keeps its sessions');
      await h.service.retainBackends(new Set(['something-else']));
      await until(() => !alive(pid!), 10_000, 'child reaped');
      assert.equal(h.service.sessions().length, 0);
    } finally {
      await h.close();
    }
  });

  it('process hygiene: 50 sessions opened and closed, then shutdown, leave no stdio child', async () => {
    const tiny = target('tiny', { kind: 'stdio', cmd: process.execPath, args: [TINY], env: {} } as never);
    const h = await startHarness({ targets: [tiny] });
    const seen: number[] = [];
    try {
      // 40 Streamable HTTP sessions ended with DELETE, 5 at a time.
      for (let batch = 0; batch < 8; batch++) {
        await Promise.all(
          Array.from({ length: 5 }, async () => {
            const id = await init(h);
            seen.push(...pidsOf(h, id));
            const del = await raw(`${h.url}/mcp`, { method: 'DELETE', headers: { 'mcp-session-id': id } });
            assert.equal(del.status, 204);
          }),
        );
      }
      // 10 legacy SSE sessions ended by closing the stream.
      for (let i = 0; i < 10; i++) {
        const client = new Client({ name: 'sse', version: '1' });
        await client.connect(new SSEClientTransport(new URL(`${h.url}/sse`)));
        seen.push(...pidsOf(h).filter((p) => !seen.includes(p)));
        await client.close();
      }
      assert.equal(new Set(seen).size, 50, 'one child per session');
      await until(() => seen.every((p) => !alive(p)), 15_000, 'every child gone');
      await until(() => h.service.sessions().length === 0, 5000, 'no session left');
      // Shutdown with sessions open.
      const open = await Promise.all([init(h), init(h), init(h)]);
      const last = open.flatMap((id) => pidsOf(h, id));
      assert.equal(last.length, 3);
      await h.service.shutdown();
      await until(() => last.every((p) => !alive(p)), 10_000, 'children gone after shutdown');
      assert.equal(h.upstreams.liveProcessGroups(), 0);
    } finally {
      await h.close();
    }
  });

  it('buffer server-initiated messages until the GET stream opens, and replay them after Last-Event-ID', async () => {
    const h = await startHarness({ targets: [everythingStdio('e')] });
    try {
      // server-everything registers tools after initialization when the client can sample → tools/list_changed.
      const body = { ...INIT, params: { ...INIT.params, capabilities: { sampling: {} } } };
      const id = await init(h, {}, body);
      const s = { 'mcp-session-id': id };
      assert.equal(
        (
          await raw(`${h.url}/mcp`, {
            body: { jsonrpc: '2.0', method: 'notifications/initialized' },
            headers: s,
          })
        ).status,
        202,
      );
      const read = async (lastEventId?: string): Promise<string> => {
        const ac = new AbortController();
        const res = await fetch(`${h.url}/mcp`, {
          headers: {
            accept: 'text/event-stream',
            ...s,
            ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
          },
          signal: ac.signal,
        });
        assert.equal(res.status, 200);
        const reader = res.body!.getReader();
        let buf = '';
        const end = Date.now() + 10_000;
        while (!buf.includes('list_changed') && Date.now() < end) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += new TextDecoder().decode(value);
        }
        ac.abort();
        return buf;
      };
      const first = await read();
      assert.match(first, /id: 1\nevent: message|event: message\nid: 1/);
      assert.match(first, /notifications\/tools\/list_changed/);
      const replay = await read('0');
      assert.match(replay, /notifications\/tools\/list_changed/, 'replayed after Last-Event-ID');
    } finally {
      await h.close();
    }
  });

  it('forward list_changed to an SDK client (GET stream)', async () => {
    const h = await startHarness({ targets: [everythingStdio('e')] });
    try {
      const client = new Client({ name: 'lc', version: '1' }, { capabilities: { sampling: {} } });
      let changed = 0;
      client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
        changed++;
      });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${h.url}/mcp`)));
      await until(() => changed > 0, 10_000, 'tools/list_changed');
      await client.close();
    } finally {
      await h.close();
    }
  });

  it('fail a request in flight at once when its stdio upstream dies', async () => {
    const h = await startHarness({ targets: [fixtureStdio('flaky', 'flaky-server.ts')] });
    try {
      const client = new Client({ name: 'die', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${h.url}/mcp`)));
      const [pid] = pidsOf(h);
      // The failure names the target and is not a timeout (the gateway did not wait for one).
      await assert.rejects(
        client.callTool({ name: 'die', arguments: { code: 3 } }, undefined, { timeout: 30_000 }),
        /target "flaky" failed: (?![^\n]*tim(?:ed|e) ?out)/i,
      );
      await until(() => !alive(pid!), 5000, 'child gone');
      await assert.rejects(client.callTool({ name: 'env', arguments: {} }), /target "flaky" failed/);
      await client.close();
    } finally {
      await h.close();
    }
  });

  it('time out upstream calls (backendRequestTimeout) and forward notifications/cancelled', async () => {
    const flaky = await serveHttp(createFlakyServer);
    const h = await startHarness({ targets: [httpTarget('flaky', flaky.url)], backendRequestTimeoutMs: 400 });
    try {
      const id = await init(h);
      const s = { 'mcp-session-id': id };
      const timedOut = await raw(`${h.url}/mcp`, {
        body: { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'hang' } },
        headers: s,
      });
      assert.equal(timedOut.status, 504, 'a gateway timeout while the answer is still plain JSON');
      assert.equal(timedOut.json?.id, 2);
      assert.equal(rpcError(timedOut)?.code, -32001);
      assert.match(
        rpcError(timedOut)?.message ?? '',
        /target "flaky" failed: request timed out after 400 ms/,
      );

      const pending = raw(`${h.url}/mcp`, {
        body: { jsonrpc: '2.0', id: 'slow-1', method: 'tools/call', params: { name: 'hang', arguments: {} } },
        headers: s,
      });
      await until(
        () => flaky.requests.filter((r) => r.rpcMethod === 'tools/call').length >= 2,
        5000,
        'call reached upstream',
      );
      const cancel = await raw(`${h.url}/mcp`, {
        body: {
          jsonrpc: '2.0',
          method: 'notifications/cancelled',
          params: { requestId: 'slow-1', reason: 'user' },
        },
        headers: s,
      });
      assert.equal(cancel.status, 202);
      const r = await pending;
      assert.equal(r.json, undefined, 'a cancelled request gets no answer');
      await until(
        () => flaky.requests.some((q) => q.rpcMethod === 'notifications/cancelled'),
        5000,
        'cancel forwarded',
      );
    } finally {
      await h.close();
      await flaky.close();
    }
  });
});
