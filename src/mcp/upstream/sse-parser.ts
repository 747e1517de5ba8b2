/**
 * A small Server-Sent Events parser (WHATWG "event stream interpretation"): `event`, multi-line `data`,
 * `id`, `retry`; comments (`: keepalive`) ignored; LF, CRLF and CR line ends. Blocks that carry only an
 * `id` (the priming events of resumable streams) are yielded too, with `data: ''`, so the caller can
 * remember the last event id.
 */
export interface SseEvent {
  readonly event: string | undefined;
  readonly data: string;
  readonly id: string | undefined;
}

export class SseParser {
  #buf = '';
  #event: string | undefined;
  #data: string[] = [];
  #id: string | undefined;
  #seenField = false;
  #first = true;
  /** The last `retry:` value, in ms. */
  retryMs: number | undefined;

  /** Feed decoded text; returns the events completed by it. */
  push(text: string): SseEvent[] {
    if (this.#first && text.length > 0) {
      this.#first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.#buf += text;
    const out: SseEvent[] = [];
    let start = 0;
    for (let i = 0; i < this.#buf.length; i++) {
      const c = this.#buf.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      // A CR at the very end may be the first half of CRLF: wait for more input.
      if (c === 13 && i === this.#buf.length - 1) break;
      this.#line(this.#buf.slice(start, i), out);
      if (c === 13 && this.#buf.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
    this.#buf = this.#buf.slice(start);
    return out;
  }

  /** End of stream: completes a pending CR line end; an unterminated block is discarded, as the spec says. */
  end(): SseEvent[] {
    const out = this.#buf.endsWith('\r') ? this.push('\n') : [];
    this.#buf = '';
    this.#reset();
    return out;
  }

  #line(line: string, out: SseEvent[]): void {
    if (line === '') {
      if (this.#seenField) out.push({ event: this.#event, data: this.#data.join('\n'), id: this.#id });
      this.#reset();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.#event = value;
        break;
      case 'data':
        this.#data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.#id = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        return;
      default:
        return;
    }
    this.#seenField = true;
  }

  #reset(): void {
    this.#event = undefined;
    this.#data = [];
    this.#id = undefined;
    this.#seenField = false;
  }
}

/** Iterate the events of a response body (bytes). The parser is passed in so the caller can read `retryMs`. */
export async function* readSse(
  body: AsyncIterable<Uint8Array | string>,
  parser: SseParser,
): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    yield* parser.push(text);
  }
  const rest = decoder.decode();
  if (rest) yield* parser.push(rest);
  yield* parser.end();
}
