/** Pure pieces: name mapping, the gateway cursor, initialize merging, message classification. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IncomingMessage } from 'node:http';
import { decodeCursor, encodeCursor } from '../../src/mcp/routing/cursor.js';
import { prefersEventStream } from '../../src/mcp/protocol/http-io.js';
import { mergeCapabilities, mergeInitialize } from '../../src/mcp/routing/initialize-result.js';
import { classifyMessage } from '../../src/mcp/protocol/messages.js';
import { decodeHeaderValue } from '../../src/mcp/transport/stateless-headers.js';
import { createNaming } from '../../src/mcp/routing/naming.js';
import { isModernVersion, lowestVersion } from '../../src/mcp/protocol/revisions.js';

describe('naming', () => {
  const n = createNaming(['a', 'bee'], 'conditional');
  it('prefixes tools/prompts with _ and resources with +', () => {
    assert.equal(n.name('a', 'get_thing'), 'a_get_thing');
    assert.equal(n.uri('bee', 'file:///x'), 'bee+file:///x');
  });
  it('splits on the first delimiter and knows only configured targets', () => {
    assert.deepEqual(n.splitName('a_get_thing'), { target: 'a', name: 'get_thing' });
    assert.deepEqual(n.splitUri('bee+file:///x+y'), { target: 'bee', uri: 'file:///x+y' });
    for (const bad of ['get', 'zzz_get', '_get', 'a_', 'a']) assert.equal(n.splitName(bad), undefined, bad);
    assert.equal(n.splitUri('a_file'), undefined);
  });
  it('passes names through for one target unless prefixMode is always', () => {
    const one = createNaming(['only'], 'conditional');
    assert.equal(one.prefixing, false);
    assert.equal(one.name('only', 'x_y'), 'x_y');
    assert.deepEqual(one.splitName('x_y'), { target: 'only', name: 'x_y' });
    const always = createNaming(['only'], 'always');
    assert.equal(always.name('only', 'x'), 'only_x');
    assert.equal(always.splitName('x'), undefined);
  });
});

describe('cursor', () => {
  it('round-trips and is opaque base64url', () => {
    const c = encodeCursor([
      ['a', '2'],
      ['b', 'xyz=='],
    ]);
    assert.ok(c && /^[A-Za-z0-9_-]+$/.test(c));
    assert.deepEqual(decodeCursor(c), [
      ['a', '2'],
      ['b', 'xyz=='],
    ]);
    assert.equal(encodeCursor([]), undefined);
  });
  it('rejects garbage with -32602', () => {
    for (const bad of [
      '',
      '!!',
      Buffer.from('{"v":2,"p":[]}').toString('base64url'),
      Buffer.from('[1]').toString('base64url'),
    ]) {
      assert.throws(
        () => decodeCursor(bad),
        (e: Error & { rpcCode?: number }) => e.rpcCode === -32602,
      );
    }
  });
});

describe('initialize merge', () => {
  const many = createNaming(['a', 'b'], 'conditional');
  it('lowest version, union of capabilities, per-target instructions', () => {
    const r = mergeInitialize(
      [
        {
          target: 'a',
          result: {
            protocolVersion: '2025-06-18',
            capabilities: { tools: { listChanged: true } },
            instructions: 'A!',
          },
        },
        {
          target: 'b',
          result: {
            protocolVersion: '2025-03-26',
            capabilities: { resources: { subscribe: true }, logging: {} },
          },
        },
      ],
      many,
      '1.2.3',
    );
    assert.equal(r.protocolVersion, '2025-03-26');
    assert.deepEqual(r.serverInfo, { name: 'portcullis', version: '1.2.3' });
    assert.deepEqual(r.capabilities, {
      tools: { listChanged: true },
      resources: { subscribe: true, listChanged: false },
      logging: {},
    });
    assert.match(String(r.instructions), /\[a\]\nA!/);
    assert.doesNotMatch(String(r.instructions), /\[b\]/);
  });
  it('passes a single unprefixed upstream result through', () => {
    const one = { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 'up', version: '1' } };
    assert.equal(
      mergeInitialize([{ target: 'x', result: one }], createNaming(['x'], 'conditional'), '1'),
      one,
    );
  });
  it('ignores capabilities the gateway cannot route', () => {
    assert.deepEqual(mergeCapabilities([{ experimental: { x: {} }, tasks: {} }]), {});
  });
});

describe('protocol helpers', () => {
  it('orders versions and recognises the modern era', () => {
    assert.equal(lowestVersion(['2025-11-25', '2024-11-05', '2025-06-18']), '2024-11-05');
    assert.ok(isModernVersion('2026-07-28'));
    assert.ok(!isModernVersion('2025-11-25'));
    assert.ok(!isModernVersion('banana'));
  });
  it('ranks SSE over JSON only when the client does', () => {
    const pref = (accept: string) => prefersEventStream({ headers: { accept } } as IncomingMessage);
    assert.equal(pref('application/json, text/event-stream'), false);
    assert.equal(pref('text/event-stream, application/json'), true);
    assert.equal(pref('application/json;q=0.5, text/event-stream'), true);
    assert.equal(pref('text/event-stream;q=0.1, application/json'), false);
    assert.equal(pref('*/*'), false);
  });
  it('decodes the Base64 sentinel header form', () => {
    assert.equal(decodeHeaderValue('plain'), 'plain');
    assert.equal(
      decodeHeaderValue(`=?base64?${Buffer.from('Hello, 世界').toString('base64')}?=`),
      'Hello, 世界',
    );
    assert.equal(decodeHeaderValue('=?base64?***?='), undefined);
  });
  it('classifies messages and refuses batches and non-messages', () => {
    assert.equal(classifyMessage({ jsonrpc: '2.0', id: 1, method: 'x' }).kind, 'request');
    assert.equal(classifyMessage({ jsonrpc: '2.0', method: 'x' }).kind, 'notification');
    assert.equal(classifyMessage({ jsonrpc: '2.0', id: 1, result: {} }).kind, 'response');
    assert.equal(
      classifyMessage({ jsonrpc: '2.0', id: 1, error: { code: 1, message: 'm' } }).kind,
      'response',
    );
    assert.throws(() => classifyMessage([]), /batches/);
    for (const bad of [
      null,
      1,
      {},
      { jsonrpc: '1.0', id: 1, method: 'x' },
      { jsonrpc: '2.0', id: {}, method: 'x' },
      { jsonrpc: '2.0', method: 'x', params: [] },
    ]) {
      assert.throws(() => classifyMessage(bad), /Invalid Request/);
    }
  });
});
