/**
 * The access-log line serialized by hand, byte for byte what pino would write for the same record: the
 * logger's cached level prefix, its time function, its bindings, the fields, `"msg":"request"`. pino's
 * generic path (the logMethod hook, an object walk per line, a stringifier lookup per key) costs more
 * than the whole line here; the record's fields are known strings and numbers.
 *
 * Used only for a logger this module can reproduce exactly: a root logger (no bindings) writing to a
 * plain stream, with no mixin, no `formatters.log`, no nested key, no stream-write hook, and no stream
 * that wants pino's metadata. Anything else — and any line with a field pino would treat specially (a
 * redaction path's root, a value that is not a string or a finite number) — goes through pino.
 */
import { pino, type Logger } from 'pino';

/** Writes one line of `level` (pino's number) from pre-serialized `,"key":value` pairs. */
export type LineWriter = (level: number, props: string) => void;

const S = pino.symbols;

interface PinoInternals {
  [key: symbol]: unknown;
}

/** A writer for `logger`, or undefined when its lines cannot be reproduced by hand. */
export function directLineWriter(
  logger: Logger,
): { write: LineWriter; special: ReadonlySet<string> } | undefined {
  const l = logger as unknown as PinoInternals;
  const stream = l[S.streamSym] as { write?: unknown; [key: symbol]: unknown } | undefined;
  const lsCache = l[S.lsCacheSym] as Record<number, string> | undefined;
  const time = l[S.timeSym] as (() => string) | undefined;
  const end = l[S.endSym];
  const formatters = l[S.formattersSym] as { log?: unknown } | undefined;
  const hooks = l[S.hooksSym] as { streamWrite?: unknown } | undefined;
  if (
    !stream ||
    typeof stream.write !== 'function' ||
    stream[S.needsMetadataGsym] === true ||
    !lsCache ||
    typeof time !== 'function' ||
    typeof end !== 'string' ||
    l[S.chindingsSym] !== '' ||
    l[S.mixinSym] ||
    l[S.nestedKeySym] ||
    formatters?.log ||
    hooks?.streamWrite ||
    l[S.messageKeySym] !== 'msg'
  )
    return undefined;
  const write = (stream.write as (s: string) => void).bind(stream);
  const clock = time === pino.stdTimeFunctions.isoTime ? isoTime() : time;
  const stringifiers = (l[S.stringifiersSym] ?? {}) as Record<string, unknown>;
  return {
    write: (level, props) => write(`${lsCache[level]}${clock()}${props},"msg":"request"${end}`),
    special: new Set(Object.keys(stringifiers)),
  };
}

/** pino's ISO time field, the string reused while the millisecond stays the same. */
function isoTime(): () => string {
  let lastMs = -1;
  let last = '';
  return () => {
    const ms = Date.now();
    if (ms !== lastMs) {
      lastMs = ms;
      last = `,"time":"${new Date(ms).toISOString()}"`;
    }
    return last;
  };
}

/** `,<key>:value` (`key` already JSON) for a string or finite number; undefined for anything else. */
export function jsonPair(key: string, value: unknown): string | undefined {
  if (typeof value === 'string') return `,${key}:${JSON.stringify(value)}`;
  if (typeof value === 'number' && Number.isFinite(value)) return `,${key}:${value}`;
  return undefined;
}
