/** CEL values ↔ the bodies and header values a transformation reads and writes. */
import { toCelValue } from '../../cel/index.js';

export const json = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    typeof x === 'bigint' ? Number(x) : x instanceof Map ? Object.fromEntries(x) : x,
  );

/** A CEL result as a header value / body text. */
export function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  return json(v);
}

/** The `body` CEL sees: parsed JSON (numbers as CEL ints/doubles), else the text. */
export function bodyValue(body: Buffer | undefined, contentType: string | undefined): unknown {
  if (!body || body.length === 0) return null;
  const s = body.toString('utf8');
  if (/\bjson\b/i.test(contentType ?? '') || /^\s*[[{]/.test(s)) {
    try {
      return toCelValue(JSON.parse(s));
    } catch {
      // not JSON after all
    }
  }
  return s;
}
