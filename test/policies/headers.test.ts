import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HeaderModifierConfig } from '../../src/config/schema/policies.js';
import { compileHeaderModifier } from '../../src/policies/headers/index.js';
import type { CompiledHeaderModifier } from '../../src/policies/types.js';
import type { RequestContext } from '../../src/contracts/request-context.js';
import { afterTest, AT, buildContext, located, send, serve } from './helpers.js';

const compile = (cfg: HeaderModifierConfig): CompiledHeaderModifier =>
  compileHeaderModifier(cfg, buildContext(), AT);

describe('requestHeaderModifier (applyTo)', () => {
  it('adds (appends), sets (replaces) and removes, names lower-cased', () => {
    const m = compile({
      add: { 'X-Tag': 'b', 'X-New': '1' },
      set: { 'X-Env': 'prod' },
      remove: ['X-Debug'],
    });
    const headers: Record<string, string> = { 'x-tag': 'a', 'x-env': 'dev', 'x-debug': '1', other: 'kept' };
    m.applyTo(headers);
    assert.deepEqual(headers, { 'x-tag': 'a, b', 'x-new': '1', 'x-env': 'prod', other: 'kept' });
  });

  it('applies add, then set, then remove (remove wins)', () => {
    const m = compile({ add: { 'x-a': 'added' }, set: { 'x-a': 'set', 'x-b': 'set' }, remove: ['x-b'] });
    const headers: Record<string, string> = {};
    m.applyTo(headers);
    assert.deepEqual(headers, { 'x-a': 'set' });
  });
});

describe('responseHeaderModifier (applyToResponse) over HTTP', () => {
  const modifier = (): CompiledHeaderModifier =>
    compile({
      add: { 'X-Added': 'policy' },
      set: { 'X-Powered-By': 'portcullis', 'Cache-Control': 'no-store' },
      remove: ['x-internal', 'server-timing'],
    });

  async function run(
    t: Parameters<typeof afterTest>[0],
    m: CompiledHeaderModifier,
    handler: (ctx: RequestContext) => void,
  ) {
    const url = await serve(afterTest(t), (ctx) => {
      m.applyToResponse(ctx.res);
      handler(ctx);
    });
    return send(url);
  }

  it('shapes headers set later with setHeader and writeHead(status, headers)', async (t) => {
    const r = await run(t, modifier(), (ctx) => {
      ctx.res.setHeader('x-internal', 'secret');
      ctx.res.setHeader('x-added', 'handler');
      ctx.res.writeHead(201, {
        'Server-Timing': 'db;dur=3',
        'X-Powered-By': 'handler',
        'content-type': 'text/plain',
      });
      ctx.res.end('made');
    });
    assert.equal(r.status, 201);
    assert.equal(r.body, 'made');
    assert.equal(r.headers['x-internal'], undefined);
    assert.equal(r.headers['server-timing'], undefined);
    assert.equal(r.headers['x-powered-by'], 'portcullis');
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.equal(r.headers['x-added'], 'handler, policy');
    assert.equal(r.headers['content-type'], 'text/plain');
  });

  it('shapes an implicit head (res.end without writeHead) and keeps the status', async (t) => {
    const r = await run(t, modifier(), (ctx) => {
      ctx.res.statusCode = 404;
      ctx.res.setHeader('x-internal', 'secret');
      ctx.res.end('nope');
    });
    assert.equal(r.status, 404);
    assert.equal(r.headers['x-internal'], undefined);
    assert.equal(r.headers['x-powered-by'], 'portcullis');
  });

  it('handles writeHead with a reason phrase and the raw array form', async (t) => {
    const r = await run(t, modifier(), (ctx) => {
      ctx.res.writeHead(200, 'Fine', ['X-Internal', 'a', 'set-cookie', 'a=1', 'set-cookie', 'b=2']);
      ctx.res.end();
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-internal'], undefined);
    assert.deepEqual(r.headers['set-cookie'], ['a=1', 'b=2']);
    assert.equal(r.headers['x-added'], 'policy');
  });

  it('applyToResponse twice on one response does not apply twice', async (t) => {
    const m = modifier();
    const r = await run(t, m, (ctx) => {
      m.applyToResponse(ctx.res);
      ctx.res.end();
    });
    assert.equal(r.headers['x-added'], 'policy');
  });

  it('writeHead still returns the response (chaining, as the MCP SDK does)', async (t) => {
    const r = await run(t, modifier(), (ctx) => {
      ctx.res.writeHead(200, { 'content-type': 'text/event-stream' }).flushHeaders();
      ctx.res.end();
    });
    assert.equal(r.headers['content-type'], 'text/event-stream');
  });
});

describe('header modifiers at config load', () => {
  const fails = (cfg: HeaderModifierConfig, field: (string | number)[], msg: string): void =>
    assert.throws(() => compile(cfg), located(field, msg));
  it('rejects Host', () => fails({ set: { Host: 'x' } }, ['set', 'Host'], 'managed by the gateway'));
  it('rejects Content-Length', () =>
    fails({ add: { 'content-length': '1' } }, ['add', 'content-length'], 'managed'));
  it('rejects hop-by-hop names, in remove too', () => {
    fails({ set: { Connection: 'close' } }, ['set', 'Connection'], 'managed');
    fails({ remove: ['x-ok', 'Transfer-Encoding'] }, ['remove', 1], 'managed');
    fails({ add: { 'Proxy-Authorization': 'x' } }, ['add', 'Proxy-Authorization'], 'managed');
  });
  it('rejects an invalid name', () =>
    fails({ set: { 'bad name': 'x' } }, ['set', 'bad name'], 'not a valid header name'));
  it('rejects a value with CR/LF', () =>
    fails({ set: { 'x-a': 'a\r\nInjected: 1' } }, ['set', 'x-a'], 'control character'));
});
