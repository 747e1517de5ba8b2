import { RawResultResponse } from './raw-response.js';

/**
 * Reads the envelope of a JSON-RPC result response without parsing its result: the text must be one
 * object whose members are exactly `jsonrpc` ("2.0"), `id` (an integer or a string) and `result` (an
 * object), in any order, with any JSON whitespace. The result's extent is found by skipping strings
 * (escapes honoured) and matching brackets; its other characters are only checked to be ones JSON
 * literals use, so text that is not JSON at all is refused, as is anything this scanner cannot locate
 * safely: a batch, an error or a request, an unknown or repeated member, an escaped member name, a
 * result that is not an object, trailing text. `undefined` means "parse it the ordinary way".
 */
export function scanResultResponse(text: string): RawResultResponse | undefined {
  const n = text.length;
  let i = skipWs(text, 0);
  if (text.charCodeAt(i) !== OPEN_OBJ) return undefined;
  i++;
  let id: number | string | undefined;
  let result: string | undefined;
  let version = false;
  for (;;) {
    i = skipWs(text, i);
    if (text.charCodeAt(i) !== QUOTE) return undefined;
    const keyEnd = text.indexOf('"', i + 1);
    if (keyEnd < 0) return undefined;
    const key = text.slice(i + 1, keyEnd);
    i = skipWs(text, keyEnd + 1);
    if (text.charCodeAt(i) !== COLON) return undefined;
    i = skipWs(text, i + 1);
    const start = i;
    if (key === 'result') {
      if (result !== undefined || text.charCodeAt(i) !== OPEN_OBJ) return undefined;
      const end = skipComposite(text, i);
      if (end < 0) return undefined;
      result = text.slice(start, end);
      i = end;
    } else if (key === 'id') {
      if (id !== undefined) return undefined;
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        const end = skipString(text, i);
        if (end < 0) return undefined;
        const raw = text.slice(i, end);
        id = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        i = end;
      } else {
        let end = i;
        if (c === MINUS) end++;
        while (end < n && isDigit(text.charCodeAt(end))) end++;
        if (end === i || (c === MINUS && end === i + 1)) return undefined;
        const value = Number(text.slice(i, end));
        if (!Number.isSafeInteger(value)) return undefined;
        id = value;
        i = end;
      }
    } else if (key === 'jsonrpc') {
      if (version || !text.startsWith('"2.0"', i)) return undefined;
      version = true;
      i += 5;
    } else {
      return undefined;
    }
    i = skipWs(text, i);
    const c = text.charCodeAt(i);
    if (c === COMMA) {
      i++;
      continue;
    }
    if (c !== CLOSE_OBJ) return undefined;
    i = skipWs(text, i + 1);
    break;
  }
  if (i !== n || !version || id === undefined || result === undefined) return undefined;
  return new RawResultResponse(id, result);
}

const OPEN_OBJ = 0x7b; // {
const CLOSE_OBJ = 0x7d; // }
const OPEN_ARR = 0x5b; // [
const CLOSE_ARR = 0x5d; // ]
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const MINUS = 0x2d;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipWs(text: string, i: number): number {
  while (i < text.length && isWs(text.charCodeAt(i))) i++;
  return i;
}

/** Characters a JSON literal (number, true, false, null) can hold. */
const LITERAL = new Uint8Array(128);
for (const ch of '0123456789+-.eEtrufalsn') LITERAL[ch.charCodeAt(0)] = 1;

/** The index after the string opening at `i`, or -1 (unterminated, or a raw control character). */
function skipString(text: string, i: number): number {
  const n = text.length;
  for (let j = i + 1; j < n; j++) {
    const c = text.charCodeAt(j);
    if (c === QUOTE) return j + 1;
    if (c === BACKSLASH) j++;
    else if (c < 0x20) return -1;
  }
  return -1;
}

/** The index after the object or array opening at `i`, or -1 when its brackets do not match. */
function skipComposite(text: string, i: number): number {
  const n = text.length;
  const closers: number[] = [];
  for (let j = i; j < n; j++) {
    const c = text.charCodeAt(j);
    if (c === QUOTE) {
      const end = skipString(text, j);
      if (end < 0) return -1;
      j = end - 1;
    } else if (c === OPEN_OBJ) closers.push(CLOSE_OBJ);
    else if (c === OPEN_ARR) closers.push(CLOSE_ARR);
    else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
      if (closers.pop() !== c) return -1;
      if (closers.length === 0) return j + 1;
    } else if (c !== COLON && c !== COMMA && !isWs(c) && (c >= 128 || LITERAL[c] !== 1)) return -1;
  }
  return -1;
}
