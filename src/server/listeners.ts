/**
 * One node:http(s) server per bind. The request handler reads the current snapshot once per request
 * (atomic swap on reload), selects listener and route, and hands over to the pipeline.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { GatewayError } from '../errors/registry.js';
import { sendHttpError } from '../errors/respond.js';
import type { RuntimeBind, Snapshot } from '../runtime/snapshot.js';
import { runPipeline, type PipelineDeps } from './pipeline.js';
import { createRequestContext, type MutableRequestContext } from './request-context.js';
import { selectRouteWithDiscovery } from './discovery-route.js';
import { requestHost, selectListener } from './router.js';

export interface RequestObserver {
  /** Called when a request starts (tracing) and when its response is finished (access log, metrics). */
  start(ctx: MutableRequestContext): void;
  end(ctx: MutableRequestContext): void;
}

export interface SnapshotSource {
  /** The snapshot a new request must use; `retain` until `release` keeps it alive across a swap. */
  acquire(): Snapshot;
  release(s: Snapshot): void;
}

interface OpenBind {
  readonly key: string;
  readonly identity: string;
  readonly server: Server | HttpsServer;
  readonly port: number;
  readonly scheme: 'http' | 'https';
  tlsFingerprint: string;
  /** Certificates by listener hostname; replaced in place when a reload brings new PEMs. */
  readonly sni: SniTable;
}

/** SNI → certificate of the best-matching listener hostname (exact > wildcard > any), else the first. */
class SniTable {
  private entries: { hostname: string; ctx: SecureContext }[] = [];
  set(tls: RuntimeBind['tls']): void {
    this.entries = tls.map((t) => ({
      hostname: t.hostname,
      ctx: createSecureContext({ cert: t.cert, key: t.key }),
    }));
  }
  pick(servername: string): SecureContext | undefined {
    const best = selectListener(this.entries, servername.toLowerCase());
    return (best ?? this.entries[0])?.ctx;
  }
}

export interface BoundAddress {
  readonly key: string;
  readonly url: string;
  readonly port: number;
}

function bindIdentity(b: RuntimeBind): string {
  return `${b.address}|${b.port}|${b.protocol}`;
}

function formatHost(address: string): string {
  if (address === '::' || address === '0.0.0.0' || address === '') return 'localhost';
  return address.includes(':') ? `[${address}]` : address;
}

export class BindManager {
  private readonly open = new Map<string, OpenBind>();

  constructor(
    private readonly snapshots: SnapshotSource,
    private readonly deps: PipelineDeps,
    private readonly observer: RequestObserver,
  ) {}

  /** Open the binds of `next` that are not open yet. Rolls back what it opened when one fails. */
  async openFor(next: Snapshot): Promise<void> {
    const opened: OpenBind[] = [];
    try {
      for (const b of next.binds) {
        const existing = this.open.get(b.key);
        if (existing && existing.identity === bindIdentity(b)) {
          this.updateTls(existing, b);
          continue;
        }
        if (existing) continue; // address/protocol change: reopened in closeUnused + openFor pass 2
        const ob = await this.listen(b);
        opened.push(ob);
        this.open.set(b.key, ob);
      }
    } catch (e) {
      for (const ob of opened) {
        this.open.delete(ob.key);
        await closeServer(ob.server, 0);
      }
      throw e;
    }
  }

  /** Close binds that `current` no longer has (draining in-flight requests), then open changed ones. */
  async closeUnused(current: Snapshot, deadlineMs: number): Promise<void> {
    const want = new Map(current.binds.map((b) => [b.key, b]));
    const closing: Promise<void>[] = [];
    for (const [key, ob] of this.open) {
      const b = want.get(key);
      if (!b || ob.identity !== bindIdentity(b)) {
        this.open.delete(key);
        closing.push(closeServer(ob.server, deadlineMs));
      }
    }
    await Promise.all(closing);
    await this.openFor(current);
  }

  addresses(): BoundAddress[] {
    return [...this.open.values()].map((ob) => {
      const a = ob.server.address() as AddressInfo | null;
      const host = a ? formatHost(a.address) : 'localhost';
      return { key: ob.key, url: `${ob.scheme}://${host}:${ob.port}`, port: ob.port };
    });
  }

  async closeAll(deadlineMs: number): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map((ob) => closeServer(ob.server, deadlineMs)));
  }

  private updateTls(ob: OpenBind, b: RuntimeBind): void {
    if (b.protocol !== 'HTTPS') return;
    const fp = b.tls.map((t) => t.cert + t.key).join('|');
    if (fp === ob.tlsFingerprint) return;
    const first = b.tls[0];
    if (first) (ob.server as HttpsServer).setSecureContext({ cert: first.cert, key: first.key });
    ob.sni.set(b.tls);
    ob.tlsFingerprint = fp;
  }

  private async listen(b: RuntimeBind): Promise<OpenBind> {
    const key = b.key;
    const handler = (req: IncomingMessage, res: ServerResponse) => this.onRequest(key, b.protocol, req, res);
    let server: Server | HttpsServer;
    const sni = new SniTable();
    if (b.protocol === 'HTTPS') {
      sni.set(b.tls);
      const first = b.tls[0];
      server = createHttpsServer(
        {
          ...(first ? { cert: first.cert, key: first.key } : {}),
          ALPNProtocols: ['http/1.1'],
          SNICallback: (name, cb) => cb(null, sni.pick(name)),
        },
        handler,
      );
    } else {
      server = createHttpServer(handler);
    }
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.requestTimeout = 0; // SSE streams are long-lived; the timeout policy bounds requests instead
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: b.port, host: b.address, ipv6Only: false }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', () => {});
    server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      // Malformed HTTP never reaches a handler: answer it here, without details, and close.
      if (!socket.writable) return void socket.destroy();
      const status =
        err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    });
    const port = (server.address() as AddressInfo).port;
    return {
      key,
      identity: bindIdentity(b),
      server,
      port,
      scheme: b.protocol === 'HTTPS' ? 'https' : 'http',
      tlsFingerprint: b.tls.map((t) => t.cert + t.key).join('|'),
      sni,
    };
  }

  private onRequest(
    bindKey: string,
    protocol: 'HTTP' | 'HTTPS',
    req: IncomingMessage,
    res: ServerResponse,
  ): void {
    const snap = this.snapshots.acquire();
    const ctx = createRequestContext(req, res, protocol === 'HTTPS' ? 'https' : 'http');
    this.observer.start(ctx);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      ctx.log['http.status'] = res.statusCode;
      this.observer.end(ctx);
      this.snapshots.release(snap);
    };
    res.once('finish', end);
    res.once('close', end);
    const bind = snap.binds.find((b) => b.key === bindKey);
    const listener = bind && selectListener(bind.listeners, requestHost(req.headers.host));
    if (!listener) {
      sendHttpError(res, new GatewayError('LISTENER_NOT_FOUND'));
      return;
    }
    ctx.log.listener = listener.key;
    const route = selectRouteWithDiscovery(listener.routes, {
      method: ctx.request.method,
      path: ctx.url.pathname,
      host: requestHost(req.headers.host),
      headers: req.headers,
      query: ctx.url.searchParams,
    });
    if (!route) {
      sendHttpError(res, new GatewayError('ROUTE_NOT_FOUND'));
      return;
    }
    ctx.log.route = route.key;
    void runPipeline(ctx, route, this.deps);
  }
}

/** Stop accepting, let in-flight requests finish until the deadline, then cut what is left. */
export async function closeServer(server: Server | HttpsServer, deadlineMs: number): Promise<void> {
  await new Promise<void>((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      server.closeAllConnections();
      finish();
    }, deadlineMs);
    timer.unref();
    server.close(() => finish());
    server.closeIdleConnections();
  });
}
