/**
 * Connection-level guards of a client server: malformed HTTP and a request head that does not arrive
 * within `config.limits.requestHeaderTimeout` are answered here (they never reach a handler), and
 * connections over `config.limits.connectionsPerBind` are refused by node before any parsing; a
 * connection that sends nothing is closed after `requestHeaderTimeout`.
 */
import type { IncomingMessage, Server } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ERRORS } from '../errors/registry.js';
import type { ServerEvents } from '../contracts/server-events.js';

export interface ConnectionLimits {
  readonly requestHeaderTimeoutMs: number;
  readonly connectionsPerBind: number;
}

/** How often node looks for expired request heads: a quarter of the timeout, 25 ms … 1 s. */
export function checkingIntervalMs(headerTimeoutMs: number): number {
  return Math.max(25, Math.min(1000, Math.floor(headerTimeoutMs / 4)));
}

/** (Re)apply the limits of the current config; node reads both on every check / connection. */
export function applyConnectionLimits(server: Server | HttpsServer, l: ConnectionLimits): void {
  server.headersTimeout = l.requestHeaderTimeoutMs;
  server.maxConnections = l.connectionsPerBind;
}

/**
 * A response written straight to the socket: no body, since the request line may be unparsed (a HEAD
 * answered with a body would desynchronise the client); the connection closes after it.
 */
function rawResponse(status: number, reason: string): string {
  return `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`;
}

const HEADER_TIMEOUT = rawResponse(ERRORS.HEADER_TIMEOUT.status, 'Request Timeout');
const TOO_LARGE = rawResponse(431, 'Request Header Fields Too Large');
const BAD_REQUEST = rawResponse(400, 'Bad Request');
const NO_CONNECT = rawResponse(405, 'Method Not Allowed');

export function installConnectionGuards(
  server: Server | HttpsServer,
  bindKey: string,
  events: ServerEvents,
): void {
  server.on('drop', () => events.connectionRejected(bindKey));
  // A connection that never sends a byte is not "active" for node's head deadline and would hold a
  // slot of connectionsPerBind forever: until its first request it may idle for the head deadline.
  const fresh = new WeakSet<Duplex>();
  // (HTTPS: the TLS socket, which is the one requests arrive on; the handshake has its own timeout.)
  server.on(server instanceof HttpsServer ? 'secureConnection' : 'connection', (socket: Socket) => {
    fresh.add(socket);
    socket.setTimeout(server.headersTimeout);
  });
  server.on('request', (req: IncomingMessage) => {
    if (fresh.delete(req.socket)) req.socket.setTimeout(0);
  });
  // With a listener here node no longer destroys timed-out sockets itself: do it, and count the idle ones.
  server.on('timeout', (socket: Duplex) => {
    if (fresh.delete(socket)) events.requestTimeout('header');
    socket.destroy();
  });
  // Without a listener node closes a CONNECT silently: answer it (the gateway is no forward proxy).
  server.on('connect', (_req, socket: Duplex) => {
    events.malformedRequest('http');
    socket.on('error', () => socket.destroy());
    socket.end(NO_CONNECT);
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    try {
      // A reset or a second error on a dead socket: nothing to answer.
      const busy = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
      if (err.code === 'ECONNRESET' || !socket.writable || busy?.headersSent) return void socket.destroy();
      let reply = BAD_REQUEST;
      if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
        events.requestTimeout('header');
        reply = HEADER_TIMEOUT;
      } else if (err.code === 'HPE_HEADER_OVERFLOW') {
        events.malformedRequest('header-overflow');
        reply = TOO_LARGE;
      } else events.malformedRequest('http');
      // No details: the parser's message names internals, not anything the client can act on.
      socket.end(reply);
    } catch {
      socket.destroy();
    }
  });
}
