/**
 * A TCP or TLS bind (tcpRoutes): one `node:net` server (plain TCP, or TLS passthrough routed by the
 * ClientHello's SNI) or `node:tls` server (TLS termination). Like the HTTP binds, each connection reads
 * the current snapshot once, so a reload swaps routes for new connections while the listening socket
 * stays open and connections in progress keep their upstream.
 *
 * Bounds (config.limits): `connectionsPerBind` open connections (more are closed at once and counted
 * as `refused`), `tcpIdleTimeout` without a byte in either direction, `requestHeaderTimeout` to send a
 * complete ClientHello (at most 16 KiB) on passthrough binds. One access-log line per connection (on
 * close); metrics `portcullis_tcp_connections_total{listener,result}`, `_active`, `portcullis_tcp_bytes_total`.
 */
import type { Snapshot } from '../runtime/snapshot.js';
import { connect, createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, createSecureContext, type TLSSocket } from 'node:tls';
import type { AccessLogFields } from '../contracts/request-context.js';
import type { RuntimeBind } from '../runtime/snapshot.js';
import { formatPeer } from '../net/peer-address.js';
import { selectListener } from '../runtime/router.js';
import type { TcpTelemetry } from '../telemetry/traffic-metrics.js';
import { pickBackend, selectTcpRoute } from './route.js';
import { MAX_HELLO_BYTES, parseClientHello } from './sni.js';

export interface TcpBindDeps {
  /** Where a new connection gets its snapshot (the listeners' own source). */
  readonly snapshots: { acquire(): Snapshot; release(s: Snapshot): void };
  readonly telemetry?: TcpTelemetry;
  /** One access-log record per finished connection. */
  readonly onEnd?: (fields: AccessLogFields, ms: number) => void;
}

export interface TcpBind {
  readonly server: Server;
  /** New certificates for a terminating TLS bind (reload). */
  updateTls(b: RuntimeBind): void;
  close(deadlineMs: number): Promise<void>;
}

function splitHost(host: string): { host: string; port: number } {
  const i = host.lastIndexOf(':');
  return { host: host.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(host.slice(i + 1)) };
}

export function createTcpBind(b: RuntimeBind, deps: TcpBindDeps): TcpBind {
  const key = b.key;
  const terminate = b.protocol === 'TLS' && b.tls.length > 0;
  const passthrough = b.protocol === 'TLS' && !terminate;
  const sockets = new Set<Socket>();
  let contexts = b.tls.map((t) => ({
    hostname: t.hostname,
    ctx: createSecureContext({ cert: t.cert, key: t.key }),
  }));

  const handle = (sock: Socket): void => {
    sockets.add(sock);
    sock.on('error', () => {});
    const started = performance.now();
    const snap = deps.snapshots.acquire();
    const limits = snap.config.static.limits;
    const log: AccessLogFields = { 'src.addr': formatPeer(sock.remoteAddress, sock.remotePort) };
    let upstream: Socket | undefined;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      sockets.delete(sock);
      upstream?.destroy();
      sock.destroy();
      if (log.route) {
        deps.telemetry?.tcpActive(-1);
        log['tcp.bytes.up'] = sock.bytesRead;
        log['tcp.bytes.down'] = upstream?.bytesRead ?? 0;
        deps.telemetry?.tcpBytes('upstream', sock.bytesRead);
        deps.telemetry?.tcpBytes('downstream', upstream?.bytesRead ?? 0);
      }
      deps.snapshots.release(snap);
      deps.onEnd?.(log, performance.now() - started);
    };
    sock.once('close', finish);
    const net = snap.networkAuthorization;
    const source = { address: sock.remoteAddress ?? '', port: sock.remotePort ?? 0 };
    if (net && !net.allows(source, { address: sock.localAddress ?? '', port: sock.localPort ?? 0 })) {
      log.error = 'network authorization denied';
      return finish();
    }
    const bind = snap.binds.find((x) => x.key === key);
    if (!bind || sockets.size > limits.connectionsPerBind) {
      log.error = 'too many connections';
      deps.telemetry?.tcpConnection(bind?.listeners[0]?.key ?? key, 'refused');
      return finish();
    }
    sock.setTimeout(limits.tcpIdleTimeoutMs, () => {
      log.error ??= 'idle timeout';
      finish();
    });

    const route = (sni: string, head: Buffer | undefined): void => {
      if (sni) log['tls.sni'] = sni;
      const sel = selectTcpRoute(bind, sni);
      log.listener = sel?.listener.key ?? selectListener(bind.listeners, sni)?.key;
      const target = sel && pickBackend(sel.route);
      if (!sel || !target) {
        log.error = 'route not found';
        deps.telemetry?.tcpConnection(log.listener ?? key, 'no_route');
        return finish();
      }
      log.route = sel.route.key;
      log['tcp.upstream'] = target;
      deps.telemetry?.tcpActive(1);
      const up = connect(splitHost(target));
      upstream = up;
      up.on('error', (e) => {
        log.error ??= `upstream: ${(e as NodeJS.ErrnoException).code ?? 'error'}`;
        finish();
      });
      up.once('close', finish);
      up.setTimeout(limits.tcpIdleTimeoutMs, () => {
        log.error ??= 'idle timeout';
        finish();
      });
      up.once('connect', () => {
        deps.telemetry?.tcpConnection(sel.listener.key, 'accepted');
        if (head?.length) up.write(head);
        sock.pipe(up);
        up.pipe(sock);
        sock.resume();
      });
      up.once('error', () => {
        if (up.connecting) deps.telemetry?.tcpConnection(sel.listener.key, 'upstream_failed');
      });
    };

    if (!passthrough) {
      sock.pause();
      route(terminate ? ((sock as TLSSocket).servername || '').toLowerCase() : '', undefined);
      return;
    }
    // Passthrough: read the ClientHello (bounded in size and time), route by its SNI, replay it.
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => {
      log.error = 'no TLS ClientHello in time';
      finish();
    }, limits.requestHeaderTimeoutMs);
    timer.unref();
    const onData = (c: Buffer): void => {
      chunks.push(c);
      size += c.length;
      const head = Buffer.concat(chunks);
      const sni = parseClientHello(head);
      if (sni === 'more' && size <= MAX_HELLO_BYTES) return;
      sock.off('data', onData);
      sock.pause();
      clearTimeout(timer);
      if (sni === 'more' || sni === 'invalid') {
        log.error = 'not a TLS ClientHello';
        return finish();
      }
      route(sni, head);
    };
    sock.on('data', onData);
  };

  const server: Server = terminate
    ? createTlsServer(
        {
          cert: b.tls[0]!.cert,
          key: b.tls[0]!.key,
          SNICallback: (name, cb) =>
            cb(null, (selectListener(contexts, name.toLowerCase()) ?? contexts[0])?.ctx),
        },
        handle,
      )
    : createNetServer(handle);
  server.on('error', () => {});
  if (terminate) server.on('tlsClientError', (_e: Error, s: Socket) => s.destroy());

  return {
    server,
    updateTls(next) {
      if (!terminate) return;
      contexts = next.tls.map((t) => ({
        hostname: t.hostname,
        ctx: createSecureContext({ cert: t.cert, key: t.key }),
      }));
    },
    close: (deadlineMs) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          for (const s of sockets) s.destroy();
          resolve();
        }, deadlineMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        if (sockets.size === 0) return;
      }),
  };
}
