import type { ServerResponse } from 'node:http';
import type { JSONRPCMessage } from './jsonrpc.js';
import { SSE_TYPE } from './http-io.js';

const KEEPALIVE_MS = 25_000;

/**
 * One server-sent-events response. Frames are `event: message` with one JSON-RPC message each (the legacy
 * transport also sends one `event: endpoint`). A comment line every 25 s keeps intermediaries from closing
 * a quiet stream.
 */
export class SseStream {
  private readonly res: ServerResponse;
  private readonly keepalive: NodeJS.Timeout;
  private ended = false;

  constructor(res: ServerResponse, headers: Record<string, string> = {}) {
    this.res = res;
    res.writeHead(200, {
      ...headers,
      'content-type': SSE_TYPE,
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    this.keepalive = setInterval(() => this.write(':\n\n'), KEEPALIVE_MS);
    this.keepalive.unref();
    res.once('close', () => this.finish());
  }

  get closed(): boolean {
    return this.ended || this.res.destroyed || this.res.writableEnded;
  }

  /** Resolves when the client goes away or the stream is ended. */
  onClose(cb: () => void): void {
    if (this.closed) cb();
    else this.res.once('close', cb);
  }

  send(message: JSONRPCMessage, id?: string): boolean {
    const idLine = id === undefined ? '' : `id: ${id}\n`;
    return this.write(`event: message\n${idLine}data: ${JSON.stringify(message)}\n\n`);
  }

  event(name: string, data: string): boolean {
    return this.write(`event: ${name}\ndata: ${data}\n\n`);
  }

  end(): void {
    if (!this.closed) this.res.end();
    this.finish();
  }

  private write(chunk: string): boolean {
    if (this.closed) return false;
    this.res.write(chunk);
    return true;
  }

  private finish(): void {
    this.ended = true;
    clearInterval(this.keepalive);
  }
}
