/**
 * Maps config paths to positions in the YAML document and back. Node ranges are offsets in the parsed
 * (env-expanded) text; `SourcePositions` turns them into line:column of the original text.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter } from 'yaml';
import type { Document, Node } from 'yaml';
import type { ConfigPath } from './types.js';

export interface Position {
  readonly line: number;
  readonly column: number;
}

export class SourcePositions {
  readonly #lines = new LineCounter();
  readonly #toOriginal: (offset: number) => number;
  constructor(originalText: string, toOriginal: (offset: number) => number = (o) => o) {
    this.#lines.addNewLine(0);
    for (let i = 0; i < originalText.length; i++) if (originalText[i] === '\n') this.#lines.addNewLine(i + 1);
    this.#toOriginal = toOriginal;
  }
  /** Position of an offset in the original text. */
  ofOriginal(offset: number): Position {
    const { line, col } = this.#lines.linePos(offset);
    return { line, column: col };
  }
  /** Position of an offset in the parsed (expanded) text. */
  ofParsed(offset: number): Position {
    return this.ofOriginal(this.#toOriginal(offset));
  }
}

/**
 * Offset (in the parsed text) of the node at `path`, or of its closest existing ancestor when the path
 * does not exist (a missing required field points at the mapping that should hold it). With `atKey`,
 * the last segment's key is pointed at instead of its value (unknown keys).
 */
export function offsetOf(doc: Document, path: ConfigPath, atKey = false): number {
  let node: unknown = doc.contents;
  let best = rangeStart(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    if (isAlias(node)) node = node.resolve(doc);
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(seg));
      if (!pair) return best;
      if (last && atKey) return rangeStart(pair.key) ?? best;
      node = pair.value;
      // `key:` with no value has no node; point at the key.
      best = rangeStart(node) ?? rangeStart(pair.key) ?? best;
      if (node === null || node === undefined) return best;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      const start = rangeStart(node);
      if (start === undefined) return best;
      best = start;
    } else {
      return best;
    }
  }
  return best;
}

/** The deepest path whose node contains `offset` (for errors found in the text, e.g. unset variables). */
export function pathAtOffset(doc: Document, offset: number): ConfigPath {
  const path: (string | number)[] = [];
  let node: unknown = doc.contents;
  for (;;) {
    if (isMap(node)) {
      const pair = node.items.find((p) => {
        const k = p.key as Node | null;
        const v = p.value as Node | null;
        const start = k?.range?.[0] ?? v?.range?.[0];
        const end = v?.range?.[2] ?? k?.range?.[2];
        return start !== undefined && end !== undefined && offset >= start && offset <= end;
      });
      if (!pair) return path;
      path.push(keyText(pair.key));
      node = pair.value;
    } else if (isSeq(node)) {
      const idx = node.items.findIndex((n) => {
        const r = (n as Node | null)?.range;
        return r !== undefined && r !== null && offset >= r[0] && offset <= r[2];
      });
      if (idx === -1) return path;
      path.push(idx);
      node = node.items[idx];
    } else {
      return path;
    }
  }
}

function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}

function rangeStart(node: unknown): number | undefined {
  const r = (node as Node | null | undefined)?.range;
  return r ? r[0] : undefined;
}
