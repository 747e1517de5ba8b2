import type { ServerResponse } from 'node:http';
import type { JSONRPCMessage, JSONRPCResponseMessage } from '../protocol/messages.js';
import { writeEmpty, writeJson } from '../protocol/http-io.js';
import type { StreamBound } from '../protocol/sse-stream.js';
import { SseStream } from '../protocol/sse-stream.js';
import { RawResultResponse } from '../protocol/raw-response.js';

/**
 * The answer to one POSTed request. Plain JSON when the final response comes first (the client accepted
 * JSON); the first interim message (progress, logging, a server request) switches the answer to an SSE
 * stream, which the final response then ends. A client that ranks SSE above JSON in Accept always gets SSE.
 */
export class PostResponder {
  private readonly res: ServerResponse;
  private readonly headers: Record<string, string>;
  private readonly sse: boolean;
  private stream: SseStream | undefined;
  private done = false;
  private readonly bound: StreamBound | undefined;
  private readonly transform: ((message: object) => unknown) | undefined;

  constructor(
    res: ServerResponse,
    headers: Record<string, string> = {},
    preferSse = false,
    bound?: StreamBound,
    /** A route's response body transformation (ctx.transformMcpResponse), applied to the final response. */
    transform?: (message: object) => unknown,
  ) {
    this.res = res;
    this.transform = transform;
    this.bound = bound;
    this.headers = headers;
    this.sse = preferSse;
  }

  /** False once the client is gone or the final response was written. */
  get open(): boolean {
    return !this.done && !this.res.destroyed && !this.res.writableEnded;
  }

  /** Extra response headers (e.g. the new Mcp-Session-Id) — only effective before anything is written. */
  setHeader(name: string, value: string): void {
    this.headers[name] = value;
  }

  interim(message: JSONRPCMessage): boolean {
    if (!this.open) return false;
    this.stream ??= new SseStream(this.res, this.headers, this.bound);
    return this.stream.send(message);
  }

  /** The request was cancelled: no answer is due; end the stream (or acknowledge with an empty 202). */
  abandon(): void {
    if (!this.open) return;
    this.done = true;
    if (this.stream) this.stream.end();
    else writeEmpty(this.res, 202, this.headers);
  }

  final(reply: JSONRPCResponseMessage, status = 200): void {
    if (!this.open) return;
    this.done = true;
    // The transformation always returns a valid response to the same id (src/policies/transformations/).
    // A transformation reads the message as plain JSON: a result kept as raw text is materialized first.
    const message = this.transform
      ? (this.transform(
          reply instanceof RawResultResponse ? reply.toJSON() : reply,
        ) as JSONRPCResponseMessage)
      : reply;
    if (this.sse && status === 200) this.stream ??= new SseStream(this.res, this.headers, this.bound);
    if (this.stream) {
      this.stream.send(message);
      this.stream.end();
    } else {
      writeJson(this.res, status, message, this.headers);
    }
  }
}
