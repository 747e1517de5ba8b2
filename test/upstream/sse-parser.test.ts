import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineSplitter } from '../../src/mcp/upstream/lines.js';
import { readSse, SseParser, type SseEvent } from '../../src/mcp/upstream/sse-parser.js';

async function parseAll(chunks: string[]): Promise<{ events: SseEvent[]; retry: number | undefined }> {
  const parser = new SseParser();
  async function* body(): AsyncGenerator<Uint8Array> {
    for (const c of chunks) yield new TextEncoder().encode(c);
  }
  const events: SseEvent[] = [];
  for await (const e of readSse(body(), parser)) events.push(e);
  return { events, retry: parser.retryMs };
}

describe('SSE parser', () => {
  it('parses event, multi-line data, id and retry; ignores comments', async () => {
    const { events, retry } = await parseAll([
      ': keepalive\n\nretry: 1500\nid: 7\nevent: message\ndata: {"a":\ndata: 1}\n\n',
    ]);
    assert.equal(retry, 1500);
    assert.deepEqual(events, [{ event: 'message', data: '{"a":\n1}', id: '7' }]);
  });

  it('handles CRLF and CR line ends split across chunks, and a BOM', async () => {
    const { events } = await parseAll(['\uFEFFdata: one\r', '\n\r', '\ndata: two\r\r', 'data:three\n', '\n']);
    assert.deepEqual(
      events.map((e) => e.data),
      ['one', 'two', 'three'],
    );
  });

  it('yields id-only priming events with empty data, drops an unterminated block', async () => {
    const { events } = await parseAll(['id: prime-1\ndata:\n\n', 'data: unfinished']);
    assert.deepEqual(events, [{ event: undefined, data: '', id: 'prime-1' }]);
  });

  it('splits UTF-8 correctly across chunk boundaries', async () => {
    const bytes = new TextEncoder().encode('data: héllo ✓\n\n');
    const parser = new SseParser();
    async function* body(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1);
    }
    const out: string[] = [];
    for await (const e of readSse(body(), parser)) out.push(e.data);
    assert.deepEqual(out, ['héllo ✓']);
  });
});

describe('line splitter', () => {
  it('splits on LF, strips CR, drops over-long lines and reports them', () => {
    const lines: string[] = [];
    const over: number[] = [];
    const s = new LineSplitter(
      (l) => lines.push(l),
      10,
      (n) => over.push(n),
    );
    s.push(Buffer.from('ab\r\ncd'));
    s.push(Buffer.from('e\n0123456789ABC'));
    s.push(Buffer.from('DEF\nok\n'));
    s.push(Buffer.from('tail'));
    s.flush();
    assert.deepEqual(lines, ['ab', 'cde', 'ok', 'tail']);
    assert.equal(over.length, 1);
  });
});
