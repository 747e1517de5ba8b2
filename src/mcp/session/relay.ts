import type { Logger } from 'pino';
import type {
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCRequest,
  JSONRPCResponseMessage,
} from '../protocol/messages.js';
import { paramsOf } from '../protocol/messages.js';
import type { Naming } from '../routing/naming.js';
import type { CallOptions, ConnEvents, TargetConn } from '../connection/target-connection.js';

/**
 * What upstreams send a session's client besides responses. Messages that belong to a request travel on
 * that request's stream; the rest go to `emit` (the GET stream, or the legacy SSE stream).
 * - logging carries no request id: it belongs to the latest request in flight to that target, if any;
 * - server→client requests (sampling, elicitation, roots) get ids namespaced `<target>:<n>` so two
 *   upstreams can never collide, and the client's answer goes back with the upstream's own id;
 * - resource-updated URIs get the target prefix; ping from an upstream is answered here.
 */
export class SessionRelay implements ConnEvents {
  private readonly naming: Naming;
  private readonly emit: (message: JSONRPCMessage) => void;
  private readonly logger: Logger;
  /** Server→client requests awaiting the client's answer (made on the first one). */
  private pendingMap: Map<string, { conn: TargetConn; id: string | number }> | undefined;
  private get pending(): Map<string, { conn: TargetConn; id: string | number }> {
    return (this.pendingMap ??= new Map());
  }
  private seq = 0;

  constructor(naming: Naming, emit: (message: JSONRPCMessage) => void, logger: Logger) {
    this.naming = naming;
    this.emit = emit;
    this.logger = logger;
  }

  notification(conn: TargetConn, msg: JSONRPCNotification): void {
    const params = paramsOf(msg);
    switch (msg.method) {
      case 'notifications/message':
        if (!conn.latestScope()?.sink(msg)) this.emit(msg);
        return;
      case 'notifications/resources/updated':
        if (typeof params.uri === 'string') {
          this.emit({
            ...msg,
            params: { ...params, uri: this.naming.uri(conn.name, params.uri) },
          } as JSONRPCMessage);
        } else this.emit(msg);
        return;
      case 'notifications/cancelled':
        // The upstream withdrew one of its own requests: translate its id to the namespaced one.
        for (const [nid, v] of this.pending) {
          if (v.conn === conn && v.id === params.requestId) {
            this.pending.delete(nid);
            this.emit({ ...msg, params: { ...params, requestId: nid } } as JSONRPCMessage);
          }
        }
        return;
      default:
        this.emit(msg);
    }
  }

  request(conn: TargetConn, msg: JSONRPCRequest): void {
    if (msg.method === 'ping') {
      void conn
        .respond({ jsonrpc: '2.0', id: msg.id, result: {} } as JSONRPCResponseMessage)
        .catch(() => undefined);
      return;
    }
    const nid = `${conn.name}:${++this.seq}`;
    this.pending.set(nid, { conn, id: msg.id });
    const out = { ...msg, id: nid } as JSONRPCMessage;
    if (!conn.latestScope()?.sink(out)) this.emit(out);
  }

  closed(conn: TargetConn): void {
    for (const [k, v] of this.pending) if (v.conn === conn) this.pending.delete(k);
  }

  /** The client's answer to a server→client request: back to the upstream that asked, with its own id. */
  async respond(msg: JSONRPCResponseMessage, opts: CallOptions): Promise<void> {
    const key = msg.id === undefined ? undefined : String(msg.id);
    const entry = key === undefined ? undefined : this.pending.get(key);
    if (!entry || key === undefined) {
      this.logger.debug({ id: msg.id }, 'client response for no pending server request');
      return;
    }
    this.pending.delete(key);
    await entry.conn.respond({ ...msg, id: entry.id } as JSONRPCResponseMessage, opts).catch((e: unknown) => {
      this.logger.warn(
        { target: entry.conn.name, err: (e as Error).message },
        'relaying a client response failed',
      );
    });
  }
}
