/** The ClientHello SNI parser behind TLS passthrough: real hellos, truncated ones, and garbage. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { describe, test } from 'node:test';
import { connect } from 'node:tls';
import { parseClientHello } from '../../src/tcp/sni.js';

/** The first bytes a real node TLS client sends for `servername`. */
async function realHello(servername: string | undefined): Promise<Buffer> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const got = new Promise<Buffer>((resolve) =>
    server.once('connection', (s) => {
      const chunks: Buffer[] = [];
      s.on('data', (c: Buffer) => {
        chunks.push(c);
        const b = Buffer.concat(chunks);
        if (b.length >= 5 && b.length >= 5 + b.readUInt16BE(3)) {
          resolve(b);
          s.destroy();
        }
      });
    }),
  );
  const c = connect({
    port,
    host: '127.0.0.1',
    ...(servername ? { servername } : {}),
    rejectUnauthorized: false,
  });
  c.on('error', () => {});
  const hello = await got;
  c.destroy();
  server.close();
  return hello;
}

describe('parseClientHello', () => {
  test('finds the server name of a real ClientHello, lower-cased', async () => {
    assert.equal(parseClientHello(await realHello('MCP.Example.test')), 'mcp.example.test');
  });

  test('a hello without SNI gives ""; every proper prefix asks for more', async () => {
    assert.equal(parseClientHello(await realHello(undefined)), '');
    const hello = await realHello('a.test');
    for (const n of [0, 1, 4, 5, 40, hello.length - 1])
      assert.equal(parseClientHello(hello.subarray(0, n)), 'more');
  });

  test('hostile input: not TLS, oversized records and random bytes never throw', async () => {
    assert.equal(parseClientHello(Buffer.from('GET / HTTP/1.1\r\n\r\n')), 'invalid');
    assert.equal(parseClientHello(Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff])), 'invalid');
    const hello = await realHello('b.test');
    const broken = Buffer.from(hello);
    broken.writeUInt16BE(0xffff, hello.length - 4); // a length running past the end
    assert.doesNotThrow(() => parseClientHello(broken));
    for (let i = 0; i < 2000; i++) {
      const b = randomBytes(5 + (i % 300));
      b[0] = 0x16;
      b[1] = 0x03;
      b.writeUInt16BE(b.length - 5, 3);
      const r = parseClientHello(b);
      assert.ok(typeof r === 'string');
    }
  });
});
