/**
 * Splits a byte stream into lines (LF, with an optional CR before it). A line longer than `maxBytes` is
 * dropped (reported through `onOverflow`) rather than buffered without bound.
 */
export class LineSplitter {
  #parts: Buffer[] = [];
  #size = 0;
  #overflowed = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxBytes: number,
    private readonly onOverflow: (bytes: number) => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      this.#take(chunk.subarray(start, nl));
      const overflowed = this.#overflowed;
      const line = overflowed ? '' : Buffer.concat(this.#parts, this.#size).toString('utf8');
      this.#parts = [];
      this.#size = 0;
      this.#overflowed = false;
      start = nl + 1;
      if (!overflowed) this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
    }
    if (start < chunk.length) this.#take(chunk.subarray(start));
  }

  /** End of stream: a final unterminated line is delivered. */
  flush(): void {
    if (this.#size > 0 && !this.#overflowed)
      this.onLine(Buffer.concat(this.#parts, this.#size).toString('utf8'));
    this.#parts = [];
    this.#size = 0;
    this.#overflowed = false;
  }

  #take(part: Buffer): void {
    if (this.#overflowed || part.length === 0) return;
    if (this.#size + part.length > this.maxBytes) {
      this.onOverflow(this.#size + part.length);
      this.#parts = [];
      this.#size = 0;
      this.#overflowed = true;
      return;
    }
    this.#parts.push(part);
    this.#size += part.length;
  }
}
