/**
 * tcpRoutes through the running gateway: real TCP echo servers behind TCP and TLS listeners (plain,
 * TLS passthrough routed by SNI, TLS termination), a reload that swaps the route while the listener and
 * the open connections stay, and the connection cap, idle timeout and garbage ClientHellos.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect as netConnect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls';
import { eventually, startGateway, type TestGateway } from '../helpers/gateway.js';

const CERT = readFileSync('test/fixtures/tls/a.crt', 'utf8');
const KEY = readFileSync('test/fixtures/tls/a.key', 'utf8');

interface Echo {
  readonly host: string;
  close(): Promise<void>;
}

/** Answers every chunk with `<tag>:<chunk>`; with tls, records the SNI it was reached with. */
async function echo(tag: string, opts: { tls?: boolean; snis?: string[] } = {}): Promise<Echo> {
  const sockets = new Set<Socket>();
  const onConn = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    s.on('data', (d) => s.write(`${tag}:${d.toString()}`));
  };
  const server: Server = opts.tls
    ? createTlsServer({ cert: CERT, key: KEY }, (s) => {
        opts.snis?.push(s.servername || '');
        onConn(s);
      })
    : createServer(onConn);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    host: `127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Write `msg` and wait for the answer. */
function ask(sock: Socket, msg: string): Promise<string> {
  return new Promise((resolve, reject) => {
    sock.once('data', (d) => resolve(d.toString()));
    sock.once('error', reject);
    sock.write(msg);
  });
}

const open = (port: number): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const s = netConnect({ port, host: '127.0.0.1' }, () => resolve(s));
    s.once('error', reject);
  });

const closed = (s: Socket): Promise<void> =>
  new Promise((r) => (s.destroyed ? r() : s.once('close', () => r())));

const tcpConfig = (backend: string, limits = '') => `${limits}binds:
- port: 0
  listeners:
  - name: raw
    protocol: TCP
    tcpRoutes:
    - name: echo
      backends:
      - host: ${backend}
`;

describe('tcpRoutes over TCP', () => {
  let a: Echo;
  let b: Echo;
  let gw: TestGateway;
  before(async () => {
    a = await echo('A');
    b = await echo('B');
    gw = await startGateway(tcpConfig(a.host), { name: 'tcp-routes', watch: true });
  });
  after(async () => {
    await gw.stop();
    await a.close();
    await b.close();
  });

  test('bytes are proxied both ways; the connection gets an access-log line with its route and upstream', async () => {
    const s = await open(gw.port);
    assert.equal(await ask(s, 'hello'), 'A:hello');
    s.end();
    await closed(s);
    const line = await eventually(() => gw.logs.find((l) => l['tcp.upstream'] === a.host));
    assert.equal(line.route, 'raw/bind/0/echo/default');
    assert.equal(line['tcp.bytes.up'], 5);
  });

  test('reload swaps the route for new connections; the listener and open connections stay', async () => {
    const kept = await open(gw.port);
    assert.equal(await ask(kept, 'one'), 'A:one');
    const port = gw.port;
    gw.writeConfig(tcpConfig(b.host));
    await eventually(async () => {
      const s = await open(port);
      const got = await ask(s, 'x');
      s.destroy();
      return got === 'B:x';
    });
    assert.equal(await ask(kept, 'two'), 'A:two');
    kept.destroy();
    const metrics = await (await fetch(`${gw.statsUrl}/metrics`)).text();
    assert.match(
      metrics,
      /portcullis_tcp_connections_total\{listener="raw\/bind\/0",result="accepted"\} \d+/,
    );
  });
});

describe('tcpRoutes limits', () => {
  let a: Echo;
  let gw: TestGateway;
  before(async () => {
    a = await echo('A');
    gw = await startGateway(
      tcpConfig(a.host, 'config:\n  limits:\n    connectionsPerBind: 2\n    tcpIdleTimeout: 300ms\n'),
      { name: 'tcp-limits' },
    );
  });
  after(async () => {
    await gw.stop();
    await a.close();
  });

  test('connections over the cap are closed at once and counted; idle ones are closed after tcpIdleTimeout', async () => {
    const s1 = await open(gw.port);
    const s2 = await open(gw.port);
    assert.equal(await ask(s1, 'a'), 'A:a');
    assert.equal(await ask(s2, 'b'), 'A:b');
    const s3 = await open(gw.port);
    await closed(s3);
    const metrics = await (await fetch(`${gw.statsUrl}/metrics`)).text();
    assert.match(
      metrics,
      /portcullis_tcp_connections_total\{listener="raw\/bind\/0",result="refused"\} [1-9]/,
    );
    // No byte for 300 ms: both are closed by the gateway.
    await closed(s1);
    await closed(s2);
    await eventually(() => gw.logs.find((l) => l.error === 'idle timeout'));
  });
});

describe('tcpRoutes over TLS', () => {
  let one: Echo;
  let two: Echo;
  let plain: Echo;
  const snis: string[] = [];
  let passthrough: TestGateway;
  let terminate: TestGateway;
  before(async () => {
    one = await echo('ONE', { tls: true, snis });
    two = await echo('TWO', { tls: true, snis });
    plain = await echo('P');
    passthrough = await startGateway(
      `binds:
- port: 0
  listeners:
  - name: sni
    protocol: TLS
    tcpRoutes:
    - name: one
      hostnames: [one.test]
      backends: [{host: ${one.host}}]
    - name: two
      hostnames: ["*.two.test"]
      backends: [{host: ${two.host}}]
`,
      { name: 'tls-passthrough' },
    );
    terminate = await startGateway(
      `binds:
- port: 0
  listeners:
  - name: term
    protocol: TLS
    tls: {cert: a.crt, key: a.key}
    tcpRoutes:
    - backends: [{host: ${plain.host}}]
`,
      { name: 'tls-terminate', files: { 'a.crt': CERT, 'a.key': KEY } },
    );
  });
  after(async () => {
    await passthrough.stop();
    await terminate.stop();
    await one.close();
    await two.close();
    await plain.close();
  });

  const tlsAsk = (port: number, servername: string, msg: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const s = tlsConnect({ port, host: '127.0.0.1', servername, rejectUnauthorized: false }, () => {
        s.once('data', (d) => {
          resolve(d.toString());
          s.destroy();
        });
        s.write(msg);
      });
      s.once('error', reject);
    });

  test('passthrough: the ClientHello’s SNI picks the route; TLS ends at the backend', async () => {
    assert.equal(await tlsAsk(passthrough.port, 'one.test', 'hi'), 'ONE:hi');
    assert.equal(await tlsAsk(passthrough.port, 'api.two.test', 'yo'), 'TWO:yo');
    assert.deepEqual(snis.slice(-2), ['one.test', 'api.two.test']);
    // No route for this name: the connection is closed.
    await assert.rejects(tlsAsk(passthrough.port, 'other.test', 'x'));
  });

  test('hostile: bytes that are not a ClientHello are refused; the bind keeps serving', async () => {
    const s = await open(passthrough.port);
    s.write('GET / HTTP/1.1\r\n\r\n');
    await closed(s);
    await eventually(() => passthrough.logs.find((l) => l.error === 'not a TLS ClientHello'));
    assert.equal(await tlsAsk(passthrough.port, 'one.test', 'again'), 'ONE:again');
  });

  test('termination: the gateway presents the listener certificate and proxies plaintext', async () => {
    assert.equal(await tlsAsk(terminate.port, 'localhost', 'hello'), 'P:hello');
  });
});
