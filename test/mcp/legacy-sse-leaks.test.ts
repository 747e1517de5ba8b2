/**
 * The legacy HTTP+SSE transport must not leak stdio children: `initialize` sent twice concurrently on one
 * session starts the targets once (the second is refused), and a stream that closes while `initialize`
 * is still starting the targets leaves no process behind. Children are counted with ps.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { countProcs, initBody, stdioTarget, until } from './limits-helpers.js';

/** A legacy SSE stream: the message endpoint, and every JSON-RPC message received so far. */
async function openSse(url: string): Promise<{
  endpoint: string;
  messages: Record<string, unknown>[];
  close: () => void;
}> {
  const ac = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: ac.signal });
  assert.equal(res.status, 200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const messages: Record<string, unknown>[] = [];
  let buf = '';
  let endpoint: string | undefined;
  let resolveEndpoint: (e: string) => void = () => undefined;
  const gotEndpoint = new Promise<string>((r) => (resolveEndpoint = r));
  void (async () => {
    const dec = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buf += dec.decode(value, { stream: true });
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const event = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1] ?? '';
        if (event === 'endpoint') {
          endpoint = new URL(data, url).toString();
          resolveEndpoint(endpoint);
        } else if (data) messages.push(JSON.parse(data) as Record<string, unknown>);
      }
    }
  })();
  return { endpoint: await gotEndpoint, messages, close: () => ac.abort() };
}

async function postTo(endpoint: string, body: unknown): Promise<number> {
  const r = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await r.text();
  return r.status;
}

function yaml(stdio: string): string {
  return `
binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
          targets:
          - name: limits
            stdio: ${stdio}
`;
}

describe('legacy SSE: no leaked stdio children', () => {
  const gateways: TestGateway[] = [];
  after(() => Promise.all(gateways.map((g) => g.stop())));

  it('initialize sent twice concurrently starts the target once; closing the stream reaps it', async () => {
    const { stdio, tag } = stdioTarget(['--init-delay-ms', '300']);
    const gw = await startGateway(yaml(stdio), { name: 'mcp-sse-leaks' });
    gateways.push(gw);
    const sse = await openSse(`${gw.url}/sse`);
    const statuses = await Promise.all([
      postTo(sse.endpoint, initBody(1)),
      postTo(sse.endpoint, initBody(2)),
    ]);
    assert.deepEqual(statuses, [202, 202]);
    assert.ok(await until(() => sse.messages.length === 2), JSON.stringify(sse.messages));
    const results = sse.messages.filter((m) => 'result' in m);
    const errors = sse.messages.filter((m) => 'error' in m);
    assert.equal(results.length, 1, JSON.stringify(sse.messages));
    assert.equal(errors.length, 1);
    assert.match(JSON.stringify(errors[0]), /Session already initialized/);
    assert.equal(countProcs(tag), 1);
    sse.close();
    assert.ok(await until(() => countProcs(tag) === 0), `children left: ${countProcs(tag)}`);
  });

  it('a stream closed while initialize is still starting the target leaves no child behind', async () => {
    const { stdio, tag } = stdioTarget(['--init-delay-ms', '1500']);
    const gw = await startGateway(yaml(stdio), { name: 'mcp-sse-leaks' });
    gateways.push(gw);
    const sse = await openSse(`${gw.url}/sse`);
    assert.equal(await postTo(sse.endpoint, initBody(1)), 202);
    assert.ok(await until(() => countProcs(tag) === 1), 'the child was spawned');
    sse.close();
    assert.ok(await until(() => countProcs(tag) === 0), `children left: ${countProcs(tag)}`);
    assert.ok(await until(() => gw.portcullis.gateway.mcp.sessions().length === 0));
  });
});
