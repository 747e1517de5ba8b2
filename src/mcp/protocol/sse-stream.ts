import type { ServerResponse } from 'node:http';
import type { JSONRPCMessage } from './messages.js';
import { SSE_TYPE } from './http-io.js';
import { messageText } from './raw-response.js';

const KEEPALIVE_MS = 25_000;

/** How much may queue towards a client that does not read, and who hears when it is cut off. */
export interface StreamBound {
  /** `limits.streamBufferBytes`. */
  readonly maxQueued: number;
  readonly onSlow: () => void;
}

/**
 * One server-sent-events response. Frames are `event: message` with one JSON-RPC message each (the legacy
 * transport also sends one `event: endpoint`). A comment line every 25 s keeps intermediaries from closing
 * a quiet stream. Writes respect backpressure: while the client does not read, frames queue in the
 * response; once more than `bound.maxQueued` bytes are queued the client is cut off (the connection is
 * destroyed, so memory stays bounded whatever the upstream sends).
 */
export class SseStream {
  private readonly res: ServerResponse;
  private readonly keepalive: NodeJS.Timeout;
  private ended = false;
  private readonly bound: StreamBound | undefined;

  constructor(res: ServerResponse, headers: Record<string, string> = {}, bound?: StreamBound) {
    this.res = res;
    this.bound = bound;
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
    return this.write(`event: message\n${idLine}data: ${messageText(message)}\n\n`);
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
    if (this.res.write(chunk)) return true;
    if (this.bound && this.res.writableLength > this.bound.maxQueued) {
      this.finish();
      this.res.destroy();
      this.bound.onSlow();
      return false;
    }
    return true;
  }

  private finish(): void {
    this.ended = true;
    clearInterval(this.keepalive);
  }
}
