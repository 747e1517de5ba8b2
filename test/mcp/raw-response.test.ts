// The id splicer of the byte-forwarding path: src/mcp/protocol/envelope-scan.ts reads a result response's
// envelope without parsing its result, src/mcp/protocol/raw-response.ts writes it back with another id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanResultResponse } from '../../src/mcp/protocol/envelope-scan.js';
import { messageText, RawResultResponse } from '../../src/mcp/protocol/raw-response.js';
import { outcomeMessage } from '../../src/mcp/protocol/messages.js';
import { parseMessage } from '../../src/mcp/upstream/rpc-client.js';

/** Scans `text`, answers it as `clientId`, and checks the result equals what a full parse gives. */
function spliced(text: string, clientId: string | number): unknown {
  const raw = scanResultResponse(text);
  assert.ok(raw, `expected a raw result for ${text}`);
  const out = messageText(outcomeMessage(clientId, raw));
  const parsed = JSON.parse(out) as { jsonrpc: string; id: unknown; result: unknown };
  assert.deepEqual(parsed, {
    jsonrpc: '2.0',
    id: clientId,
    result: (JSON.parse(text) as { result: unknown }).result,
  });
  return parsed;
}

test('a number id is located and the client id spliced in, result bytes untouched', () => {
  const text = '{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"hi"}]}}';
  const raw = scanResultResponse(text);
  assert.equal(raw?.id, 7);
  assert.equal(raw?.resultText, '{"content":[{"type":"text","text":"hi"}]}');
  assert.equal(
    messageText(outcomeMessage('abc', raw!)),
    '{"jsonrpc":"2.0","id":"abc","result":{"content":[{"type":"text","text":"hi"}]}}',
  );
  spliced(text, 42);
});

test('client ids that are strings with escapes are written as valid JSON strings', () => {
  const text = '{"jsonrpc":"2.0","id":1,"result":{}}';
  for (const id of ['a"b', 'back\\slash', 'line\nbreak', 'ünïcödé', '\u2028', '', '1']) {
    const out = spliced(text, id) as { id: unknown };
    assert.equal(out.id, id);
  }
});

test('upstream ids: negative and string ids, escaped string ids decoded', () => {
  assert.equal(scanResultResponse('{"jsonrpc":"2.0","id":-3,"result":{}}')?.id, -3);
  assert.equal(scanResultResponse('{"jsonrpc":"2.0","id":"x-1","result":{}}')?.id, 'x-1');
  assert.equal(scanResultResponse('{"jsonrpc":"2.0","id":"a\\"b","result":{}}')?.id, 'a"b');
  assert.equal(scanResultResponse('{"jsonrpc":"2.0","id":"\\u0041","result":{}}')?.id, 'A');
});

test('"id" and brackets inside the result do not confuse the scanner', () => {
  const text =
    '{"result":{"id":99,"text":"\\"id\\": 5, } ] {","nested":[{"id":"x"},[1,2,{"a":"}"}]]},"jsonrpc":"2.0","id":12}';
  const raw = scanResultResponse(text);
  assert.equal(raw?.id, 12);
  spliced(text, 'c-1');
});

test('whitespace variants and member order', () => {
  for (const text of [
    ' { "jsonrpc" : "2.0" , "id" : 3 , "result" : { "a" : [ 1 , 2 ] } } \n',
    '{\n\t"id": 3,\r\n\t"result": {"a": [1, 2]},\n\t"jsonrpc": "2.0"\n}',
    '{"result":{"a":[1,2]},"id":3,"jsonrpc":"2.0"}',
  ]) {
    assert.equal(scanResultResponse(text)?.id, 3, text);
    spliced(text, 8);
  }
});

test('anything that cannot be located safely is left to the full parse', () => {
  for (const text of [
    '[{"jsonrpc":"2.0","id":1,"result":{}}]', // batch
    '{"jsonrpc":"2.0","id":1,"error":{"code":-1,"message":"x"}}', // errors are mapped
    '{"jsonrpc":"2.0","id":1,"method":"ping"}', // a request
    '{"jsonrpc":"2.0","method":"notifications/progress","params":{}}',
    '{"jsonrpc":"2.0","id":1,"result":{},"extra":1}', // unknown member
    '{"jsonrpc":"2.0","id":1,"id":2,"result":{}}', // repeated member
    '{"jsonrpc":"2.0","id":1,"result":{},"result":{}}',
    '{"jsonrpc":"2.0","\\u0069d":1,"result":{}}', // escaped member name
    '{"jsonrpc":"2.0","id":1,"result":[]}', // result not an object
    '{"jsonrpc":"2.0","id":1,"result":"x"}',
    '{"jsonrpc":"1.0","id":1,"result":{}}',
    '{"id":1,"result":{}}', // no version
    '{"jsonrpc":"2.0","result":{}}', // no id
    '{"jsonrpc":"2.0","id":null,"result":{}}',
    '{"jsonrpc":"2.0","id":1.5,"result":{}}',
    '{"jsonrpc":"2.0","id":1e3,"result":{}}',
    '{"jsonrpc":"2.0","id":99999999999999999999,"result":{}}',
    '{"jsonrpc":"2.0","id":1,"result":{}} x', // trailing text
    '{"jsonrpc":"2.0","id":1,"result":{"a":[1}}', // mismatched brackets
    '{"jsonrpc":"2.0","id":1,"result":{"a":"unterminated}}',
    '{"jsonrpc":"2.0","id":1,"result":{"a":undefined}}', // not JSON
    '{"jsonrpc":"2.0","id":1,"result":{"a":"raw\ncontrol"}}',
    '{"jsonrpc":"2.0","id":1,"result":{}', // truncated
    '',
  ]) {
    assert.equal(scanResultResponse(text), undefined, text);
  }
});

test('the fallback still parses what the scanner refuses', () => {
  const m = parseMessage('{"jsonrpc":"2.0","id":1,"result":{},"extra":1}') as { id: number };
  assert.ok(!(m instanceof RawResultResponse));
  assert.equal(m.id, 1);
  assert.throws(() => parseMessage('{"jsonrpc":"2.0","id":1,"result":{"a":undefined}}'));
  assert.ok(parseMessage('{"jsonrpc":"2.0","id":1,"result":{}}') instanceof RawResultResponse);
});

test('a result that was read is written from its parsed form (it may have been changed)', () => {
  const raw = scanResultResponse('{"jsonrpc":"2.0","id":1,"result":{"n":1}}')!;
  (raw.result as { n: number }).n = 2;
  assert.equal(messageText(outcomeMessage(5, raw)), '{"jsonrpc":"2.0","id":5,"result":{"n":2}}');
  // Code that does not know the class still serializes it right.
  const other = scanResultResponse('{"jsonrpc":"2.0","id":1,"result":{"n":3}}')!;
  assert.equal(JSON.stringify(other), '{"jsonrpc":"2.0","id":1,"result":{"n":3}}');
  assert.deepEqual(other.result, { n: 3 });
});
