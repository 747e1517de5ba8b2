/**
 * Graceful close of one server (shutdown, or a bind a reload removed): stop accepting, let in-flight
 * requests finish until the deadline, then answer what still runs with `gateway shutting down`
 * (JSON-RPC on MCP routes) and end event streams cleanly, so no client gets an empty reply.
 */
import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { GatewayError } from '../errors/registry.js';
import { sendHttpError, sendJsonRpcError } from '../errors/respond.js';
import type { ServerEvents } from '../contracts/server-events.js';
import type { MutableRequestContext } from './request-context.js';

export interface InFlight {
  readonly ctx: MutableRequestContext;
  /** The matched route has an MCP backend (errors are JSON-RPC). */
  isMcp: boolean;
  /** A server→client stream (MCP GET): it never ends on its own, so it does not hold the drain. */
  stream: boolean;
}

/** The requests of one server that have not finished yet. */
export class InFlightSet {
  private readonly items = new Set<InFlight>();
  private waiters: (() => void)[] = [];

  add(f: InFlight): void {
    this.items.add(f);
  }

  delete(f: InFlight): void {
    this.items.delete(f);
    if (this.waiters.length && this.busy() === 0) {
      const w = this.waiters;
      this.waiters = [];
      for (const fn of w) fn();
    }
  }

  /** Requests that will end on their own (streams excluded). */
  busy(): number {
    let n = 0;
    for (const f of this.items) if (!f.stream) n++;
    return n;
  }

  /** Resolves when no request other than streams is running. */
  idle(): Promise<void> {
    if (this.busy() === 0) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  values(): InFlight[] {
    return [...this.items];
  }

  get size(): number {
    return this.items.size;
  }
}

function isEventStream(f: InFlight): boolean {
  return String(f.ctx.res.getHeader('content-type') ?? '').startsWith('text/event-stream');
}

/** Answer (or end) one request the deadline caught. Never throws. */
export function endForShutdown(f: InFlight, events: ServerEvents): void {
  const { ctx } = f;
  const res = ctx.res;
  const err = new GatewayError('SHUTTING_DOWN');
  try {
    if (res.writableEnded || res.destroyed) return;
    if (!res.headersSent) {
      events.shutdownAborted();
      ctx.log.error = err.message;
      res.shouldKeepAlive = false;
      // Upstream work stops once the client has its answer (aborting first could race a second reply).
      res.once('finish', () => ctx.abort(err));
      if (f.isMcp) sendJsonRpcError(res, err, null);
      else sendHttpError(res, err);
    } else if (isEventStream(f)) {
      ctx.log.error ??= err.message;
      res.once('finish', () => ctx.abort(err));
      res.end();
    } else {
      ctx.log.error ??= err.message;
      ctx.abort(err);
      res.destroy();
    }
  } catch {
    res.destroy();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

/** Stop accepting, drain until `deadlineMs`, answer what is left, close every connection. */
export async function drainServer(
  server: Server | HttpsServer,
  inflight: InFlightSet,
  deadlineMs: number,
  events: ServerEvents,
): Promise<void> {
  const closed = new Promise<void>((r) => server.close(() => r()));
  for (const f of inflight.values()) if (!f.ctx.res.headersSent) f.ctx.res.shouldKeepAlive = false;
  server.closeIdleConnections();
  await Promise.race([inflight.idle(), delay(deadlineMs)]);
  for (const f of inflight.values()) endForShutdown(f, events);
  server.closeIdleConnections();
  // The answers above are small: give them a moment to reach the socket before cutting what is left.
  await Promise.race([closed, delay(Math.min(1000, Math.max(50, deadlineMs)))]);
  server.closeAllConnections();
  await Promise.race([closed, delay(1000)]);
}
