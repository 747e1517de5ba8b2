/**
 * One node:http(s) server per bind. Requests enter through ./entry.ts (the never-throws boundary),
 * which reads the current snapshot once per request (atomic swap on reload). A reload opens every new
 * or changed bind *before* the swap (`prepare`), so a port that cannot be bound refuses the reload and
 * the old listener keeps serving; `commit` then drains what the new config no longer has.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { formatPath } from '../config/path.js';
import type { NormalizedLimits } from '../config/types.js';
import type { RuntimeBind, Snapshot } from '../runtime/snapshot.js';
import { applyConnectionLimits, checkingIntervalMs, installConnectionGuards } from './client-error.js';
import { InFlightSet, drainServer } from './drain.js';
import { handleRequest, type EntryDeps } from './entry.js';
import { describeListenError } from './listen-error.js';
import { selectListener } from '../runtime/router.js';
import { createTcpBind, type TcpBind } from '../tcp/server.js';
import type { TcpTelemetry } from '../telemetry/traffic-metrics.js';
import type { AccessLogFields } from '../contracts/request-context.js';

export type { RequestObserver, SnapshotSource } from './entry.js';

interface OpenBind {
  readonly key: string;
  readonly identity: string;
  readonly bind: RuntimeBind;
  readonly limits: NormalizedLimits;
  readonly server: Server | HttpsServer;
  readonly port: number;
  readonly scheme: 'http' | 'https' | 'tcp' | 'tls';
  tlsFingerprint: string;
  /** Certificates by listener hostname; replaced in place when a reload brings new PEMs. */
  readonly sni: SniTable;
  readonly inflight: InFlightSet;
  /** TCP / TLS binds (tcpRoutes): the connection proxy behind `server`. */
  readonly tcp?: TcpBind;
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

/** Servers opened for a snapshot that is not serving yet; `commit` or `abort` it. */
export interface PreparedBinds {
  readonly opened: OpenBind[];
  /** Undo of same-port handovers (old listener closed to free its port), newest first. */
  readonly undo: (() => Promise<void>)[];
}

function bindIdentity(b: RuntimeBind): string {
  return `${b.address}|${b.port}|${b.protocol}`;
}

function tlsFingerprint(b: RuntimeBind): string {
  return b.tls.map((t) => t.cert + t.key).join('|');
}

function formatHost(address: string): string {
  if (address === '::' || address === '0.0.0.0' || address === '') return 'localhost';
  return address.includes(':') ? `[${address}]` : address;
}

export class BindManager {
  private readonly open = new Map<string, OpenBind>();

  constructor(
    private readonly d: EntryDeps,
    /** Name of the config source for error messages (`config.yaml`, `<stdin>`). */
    private readonly source: () => string,
    private readonly tcpTelemetry?: TcpTelemetry,
  ) {}

  /**
   * Open the binds `next` adds or changes, leaving every serving listener as it is. Throws a
   * ListenError saying what to change when a port cannot be bound; nothing stays open then.
   */
  async prepare(next: Snapshot): Promise<PreparedBinds> {
    const p: PreparedBinds = { opened: [], undo: [] };
    const handovers: RuntimeBind[] = [];
    try {
      for (const b of next.binds) {
        const existing = this.open.get(b.key);
        if (existing && existing.identity === bindIdentity(b)) continue;
        try {
          p.opened.push(await this.listen(b, next.config.static.limits));
        } catch (e) {
          // Same port, other address: the old listener holds the port; hand it over last.
          if (existing?.port === b.port && (e as NodeJS.ErrnoException).code === 'EADDRINUSE')
            handovers.push(b);
          else throw e;
        }
      }
      for (const b of handovers) await this.handover(b, next, p);
      return p;
    } catch (e) {
      await this.abort(p);
      throw e;
    }
  }

  /** Close the old listener of `b.key` to free the port, open the new one; on failure reopen the old. */
  private async handover(b: RuntimeBind, next: Snapshot, p: PreparedBinds): Promise<void> {
    const old = this.open.get(b.key)!;
    const deadline = next.config.static.connectionTerminationDeadlineMs;
    await this.close(old, deadline);
    this.open.delete(b.key);
    const reopen = async () => {
      try {
        const again = await this.listen(old.bind, old.limits);
        this.open.set(b.key, again);
      } catch (e) {
        this.d.logger.error({ bind: b.key, err: e }, 'could not reopen the previous listener');
      }
    };
    try {
      p.opened.push(await this.listen(b, next.config.static.limits));
      p.undo.unshift(reopen);
    } catch (e) {
      await reopen();
      throw e;
    }
  }

  /** Make `current` serve: adopt its prepared servers, refresh TLS and limits, drain what it dropped. */
  async commit(p: PreparedBinds, current: Snapshot): Promise<void> {
    const want = new Map(current.binds.map((b) => [b.key, b]));
    const closing: OpenBind[] = [];
    for (const ob of p.opened) {
      const prev = this.open.get(ob.key);
      if (prev) closing.push(prev);
      this.open.set(ob.key, ob);
    }
    for (const [key, ob] of this.open) {
      const b = want.get(key);
      if (!b) {
        this.open.delete(key);
        closing.push(ob);
        continue;
      }
      this.updateTls(ob, b);
      // TCP binds count their own connections (src/tcp/server.ts), refused ones included.
      if (!ob.tcp) applyConnectionLimits(ob.server, current.config.static.limits);
    }
    const deadline = current.config.static.connectionTerminationDeadlineMs;
    await Promise.all(closing.map((ob) => this.close(ob, deadline)));
  }

  /** Close what `prepare` opened and undo its handovers. Never throws. */
  async abort(p: PreparedBinds): Promise<void> {
    await Promise.all(p.opened.map((ob) => this.close(ob, 0)));
    for (const u of p.undo) await u();
  }

  /** First start: open every bind of `first`. */
  async openFor(first: Snapshot): Promise<void> {
    await this.commit(await this.prepare(first), first);
  }

  addresses(): BoundAddress[] {
    return [...this.open.values()].map((ob) => {
      const a = ob.server.address() as AddressInfo | null;
      const host = a ? formatHost(a.address) : 'localhost';
      return { key: ob.key, url: `${ob.scheme}://${host}:${ob.port}`, port: ob.port };
    });
  }

  /** Shutdown: stop accepting everywhere, drain up to `deadlineMs`, answer what is left. */
  async closeAll(deadlineMs: number): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map((ob) => this.close(ob, deadlineMs)));
  }

  /** Stop accepting, drain up to `deadlineMs`, answer what is left (TCP binds: their own drain). */
  private close(ob: OpenBind, deadlineMs: number): Promise<void> {
    return ob.tcp ? ob.tcp.close(deadlineMs) : drainServer(ob.server, ob.inflight, deadlineMs, this.d.events);
  }

  private updateTls(ob: OpenBind, b: RuntimeBind): void {
    if (ob.tcp) return ob.tcp.updateTls(b);
    if (b.protocol !== 'HTTPS') return;
    const fp = tlsFingerprint(b);
    if (fp === ob.tlsFingerprint) return;
    const first = b.tls[0];
    if (first) (ob.server as HttpsServer).setSecureContext({ cert: first.cert, key: first.key });
    ob.sni.set(b.tls);
    ob.tlsFingerprint = fp;
  }

  /** Open one server with the given limits; a failure names the config setting to change. */
  private async listen(b: RuntimeBind, limits: NormalizedLimits): Promise<OpenBind> {
    if (b.protocol === 'TCP' || b.protocol === 'TLS') return this.listenTcp(b, limits);
    const key = b.key;
    const scheme = b.protocol === 'HTTPS' ? 'https' : 'http';
    const inflight = new InFlightSet();
    const handler: Parameters<typeof createHttpServer>[1] = (req, res) =>
      handleRequest(this.d, key, scheme, inflight, req, res);
    const common = { connectionsCheckingInterval: checkingIntervalMs(limits.requestHeaderTimeoutMs) };
    let server: Server | HttpsServer;
    const sni = new SniTable();
    if (b.protocol === 'HTTPS') {
      sni.set(b.tls);
      const first = b.tls[0];
      server = createHttpsServer(
        {
          ...common,
          ...(first ? { cert: first.cert, key: first.key } : {}),
          ALPNProtocols: ['http/1.1'],
          SNICallback: (name, cb) => cb(null, sni.pick(name)),
        },
        handler,
      );
    } else {
      server = createHttpServer(common, handler);
    }
    server.keepAliveTimeout = 65_000;
    // The body deadline is ./entry.ts's: node's requestTimeout would count the head a second time.
    server.requestTimeout = 0;
    applyConnectionLimits(server, limits);
    installConnectionGuards(server, key, this.d.events);
    await this.bindTo(server, b);
    server.on('error', (e) => this.d.logger.error({ err: e, bind: key }, 'listener error'));
    const port = (server.address() as AddressInfo).port;
    return {
      key,
      identity: bindIdentity(b),
      bind: b,
      limits,
      server,
      port,
      scheme,
      tlsFingerprint: tlsFingerprint(b),
      sni,
      inflight,
    };
  }

  private async listenTcp(b: RuntimeBind, limits: NormalizedLimits): Promise<OpenBind> {
    const observer = this.d.observer;
    const tcp = createTcpBind(b, {
      snapshots: this.d.snapshots,
      ...(this.tcpTelemetry ? { telemetry: this.tcpTelemetry } : {}),
      ...(observer.tcpEnd ? { onEnd: (f: AccessLogFields, ms: number) => observer.tcpEnd?.(f, ms) } : {}),
    });
    const server = tcp.server;
    await this.bindTo(server, b);
    return {
      key: b.key,
      identity: bindIdentity(b),
      bind: b,
      limits,
      server: server as Server,
      port: (server.address() as AddressInfo).port,
      scheme: b.protocol === 'TLS' ? 'tls' : 'tcp',
      tlsFingerprint: '',
      sni: new SniTable(),
      inflight: new InFlightSet(),
      tcp,
    };
  }

  /** Listen on `b`'s address and port; a failure names the config setting to change. */
  private async bindTo(server: NetServer, b: RuntimeBind): Promise<void> {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port: b.port, host: b.address, ipv6Only: false }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      const at = formatPath(b.config.at);
      const index = b.config.at[b.config.at.length - 1];
      throw describeListenError(e, {
        label: `bind ${typeof index === 'number' ? index : b.key}`,
        address: b.address,
        port: b.port,
        portSetting: `${at}.port`,
        addressSetting: `${at}.address`,
        source: this.source(),
      });
    }
  }
}
