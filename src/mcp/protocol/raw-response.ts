import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

// Local spellings of ./messages.ts's types: that module imports this one.
type RequestId = string | number;
type JsonObject = Record<string, unknown>;

/**
 * An upstream's result response kept as the text it arrived in. A proxy that changes nothing in a result
 * (a `tools/call` answer on a route that does not prefix names) should not parse it into objects and
 * stringify it again: the result's bytes are forwarded as the upstream wrote them, and only the id is
 * spliced in (`{"jsonrpc":"2.0","id":<client id>,"result":<upstream text>}`).
 *
 * `result` parses on first read, for the code paths that rewrite or inspect a result (URI prefixing,
 * lists, initialize). Once parsed, the parsed form is what is written (it may have been changed), so the
 * raw text is used only when nobody looked at the result. `toJSON` keeps `JSON.stringify` correct for
 * code that does not know this class.
 */
export class RawResultResponse {
  readonly jsonrpc = '2.0' as const;
  readonly id: RequestId;
  /** The `result` member's JSON text exactly as the upstream wrote it (structurally checked: an object). */
  readonly resultText: string;
  #result: JsonObject | undefined;

  constructor(id: RequestId, resultText: string) {
    this.id = id;
    this.resultText = resultText;
  }

  get result(): JsonObject {
    return (this.#result ??= JSON.parse(this.resultText) as JsonObject);
  }

  /** True once `result` was read: the raw text may no longer say what the result is. */
  get parsed(): boolean {
    return this.#result !== undefined;
  }

  /** The same result answering `id` (the client's id instead of the gateway's upstream id). */
  withId(id: RequestId): RawResultResponse {
    const r = new RawResultResponse(id, this.resultText);
    if (this.#result !== undefined) r.#result = this.#result;
    return r;
  }

  toJSON(): { jsonrpc: '2.0'; id: RequestId; result: JsonObject } {
    return { jsonrpc: '2.0', id: this.id, result: this.result };
  }
}

/** The JSON text of a message to write: spliced from the raw result when there is one nobody touched. */
export function messageText(message: unknown): string {
  if (message instanceof RawResultResponse && !message.parsed) {
    return `{"jsonrpc":"2.0","id":${JSON.stringify(message.id)},"result":${message.resultText}}`;
  }
  return JSON.stringify(message);
}

/** The message as the rest of the gateway types it (a result response with a lazily parsed result). */
export function asJsonRpc(r: RawResultResponse): JSONRPCMessage {
  return r as unknown as JSONRPCMessage;
}
