import type { JSONRPCMessage } from './jsonrpc.js';

const CAPACITY = 256;

interface Entry {
  readonly id: number;
  readonly message: JSONRPCMessage;
  delivered: boolean;
}

/**
 * The server-initiated messages of one Streamable HTTP session, numbered for the GET stream's event ids.
 * Messages arriving while no GET stream is open wait here (bounded); a reconnecting stream with
 * `Last-Event-ID` gets everything after that id that is still held.
 */
export class EventLog {
  private readonly entries: Entry[] = [];
  private next = 1;

  push(message: JSONRPCMessage, delivered: boolean): number {
    const id = this.next++;
    this.entries.push({ id, message, delivered });
    if (this.entries.length > CAPACITY) this.entries.shift();
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
