import type { JSONRPCMessage } from '../protocol/messages.js';

const CAPACITY = 256;

interface Entry {
  readonly id: number;
  readonly message: JSONRPCMessage;
  readonly bytes: number;
  delivered: boolean;
}

/**
 * The server-initiated messages of one Streamable HTTP session, numbered for the GET stream's event ids.
 * Messages arriving while no GET stream is open wait here (bounded); a reconnecting stream with
 * `Last-Event-ID` gets everything after that id that is still held. Held: the last 256 messages, and
 * no more than `maxBytes` of them (`limits.streamBufferBytes`), oldest dropped first.
 */
export class EventLog {
  private readonly entries: Entry[] = [];
  private next = 1;
  private bytes = 0;
  private readonly maxBytes: number;

  constructor(maxBytes = Number.POSITIVE_INFINITY) {
    this.maxBytes = maxBytes;
  }

  push(message: JSONRPCMessage, delivered: boolean): number {
    const id = this.next++;
    const bytes = JSON.stringify(message).length;
    this.entries.push({ id, message, bytes, delivered });
    this.bytes += bytes;
    while (this.entries.length > CAPACITY || (this.bytes > this.maxBytes && this.entries.length > 0)) {
      this.bytes -= (this.entries.shift() as Entry).bytes;
    }
    return id;
  }

  /** Entries to (re)send on a new stream: after `lastEventId` if given, else those never delivered. */
  replay(lastEventId: string | undefined): { id: number; message: JSONRPCMessage }[] {
    const after = lastEventId === undefined ? undefined : Number(lastEventId);
    const pick =
      after !== undefined && Number.isInteger(after)
        ? this.entries.filter((e) => e.id > after)
        : this.entries.filter((e) => !e.delivered);
    for (const e of pick) e.delivered = true;
    return pick.map((e) => ({ id: e.id, message: e.message }));
  }
}
