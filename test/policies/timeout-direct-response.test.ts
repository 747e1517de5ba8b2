import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DirectResponseConfig } from '../../src/config/schema/policies.js';
import { compileDirectResponse } from '../../src/policies/direct-response/index.js';
import { compileTimeout } from '../../src/policies/timeout/index.js';
import { afterTest, AT, buildContext, located, send, serve } from './helpers.js';

describe('timeout', () => {
  it('converts both durations to milliseconds', () => {
    const t = compileTimeout({ requestTimeout: '30s', backendRequestTimeout: '2.5s' }, buildContext(), AT);
    assert.deepEqual({ ...t }, { requestTimeoutMs: 30_000, backendRequestTimeoutMs: 2_500 });
  });
  it('absent or zero means no timeout', () => {
    const t = compileTimeout({ requestTimeout: '0s' }, buildContext(), AT);
    assert.equal(t.requestTimeoutMs, undefined);
    assert.equal(t.backendRequestTimeoutMs, undefined);
  });
  it('warns when the backend timeout exceeds the request timeout', () => {
    const ctx = buildContext();
    compileTimeout({ requestTimeout: '1s', backendRequestTimeout: '5s' }, ctx, AT);
    assert.match(ctx.warnings[0] ?? '', /backendRequestTimeout is longer than requestTimeout/);
  });
  it('rejects a duration node timers cannot hold', () => {
    assert.throws(
      () => compileTimeout({ requestTimeout: '1000h' }, buildContext(), AT),
      located(['requestTimeout'], 'at most 24 days'),
    );
  });
});

describe('directResponse over HTTP', () => {
  const start = async (t: Parameters<typeof afterTest>[0], cfg: DirectResponseConfig): Promise<string> => {
    const policy = compileDirectResponse(cfg, buildContext(), AT);
    return serve(afterTest(t), (ctx) => void policy.respond(ctx));
  };

  it('answers with the status and a text/plain body', async (t) => {
    const url = await start(t, { status: 418, body: 'short and stout ☕' });
    const r = await send(url);
    assert.equal(r.status, 418);
    assert.equal(r.body, 'short and stout ☕');
    assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(r.headers['content-length'], String(Buffer.byteLength('short and stout ☕')));
  });
  it('HEAD gets the headers without the body', async (t) => {
    const url = await start(t, { status: 200, body: 'hello' });
    const r = await send(url, { method: 'HEAD' });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-length'], '5');
    assert.equal(r.body, '');
  });
  it('no body: empty response', async (t) => {
    const url = await start(t, { status: 204 });
    const r = await send(url);
    assert.equal(r.status, 204);
    assert.equal(r.body, '');
  });
  it('rejects a body on 204/304 and informational statuses', () => {
    assert.throws(
      () => compileDirectResponse({ status: 204, body: 'x' }, buildContext(), AT),
      located(['body'], 'cannot have a body'),
    );
    assert.throws(
      () => compileDirectResponse({ status: 101 }, buildContext(), AT),
      located(['status'], 'informational'),
    );
  });
});
