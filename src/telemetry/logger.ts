import { pino, type DestinationStream, type Logger } from 'pino';
import { escapeControl } from './escape.js';

export type LogFormat = 'json' | 'text';

export interface LoggerOptions {
  readonly level: string;
  /** `auto` (the default of `config.logging.format`): text on a terminal, JSON otherwise. */
  readonly format: LogFormat | 'auto';
  /** Where lines go; default stdout. Tests pass a stream to capture lines. */
  readonly destination?: DestinationStream | NodeJS.WritableStream;
  /** Whether the destination is a terminal (for `auto`); default: stdout's isTTY without a destination. */
  readonly tty?: boolean;
}

/** The format `auto` stands for: people read terminals, machines read everything else. */
export function resolveLogFormat(format: LogFormat | 'auto', tty: boolean): LogFormat {
  return format === 'auto' ? (tty ? 'text' : 'json') : format;
}

/** Paths pino must never print, wherever they appear (defence in depth: we never log them on purpose). */
export const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'token',
  'rawToken',
  'identity.rawToken',
  'password',
  'secret',
  'key',
];

/** The gateway's one logger. Created once at startup and passed down (no module globals). */
export function createLogger(opts: LoggerOptions): Logger {
  // Default: stdout through an asynchronous sonic-boom, so a busy gateway batches log writes instead of
  // a write syscall per line (measured: the access log was ~8% of gateway CPU with sync writes).
  // pino flushes it on exit; `stop()` flushes too.
  const dest = (opts.destination ?? pino.destination({ dest: 1, sync: false })) as DestinationStream;
  const tty = opts.tty ?? (opts.destination === undefined && process.stdout.isTTY === true);
  const base = {
    level: opts.level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    formatters: { level: (label: string) => ({ level: label }) },
    hooks: { logMethod: withoutBoundKeys(new WeakMap()) },
    serializers: { err: errorFields },
  };
  if (resolveLogFormat(opts.format, tty) === 'text') return pino(base, textStream(dest));
  return pino(base, dest);
}

/**
 * An error as a log field: its type, message and code — no stack trace (logs are read by people who
 * operate the gateway, not by its debugger; a stack names source files and can carry data).
 */
function errorFields(e: unknown): unknown {
  if (!(e instanceof Error)) return e;
  const code = (e as { code?: unknown }).code;
  return { type: e.name, message: e.message, ...(code !== undefined ? { code } : {}) };
}

const NONE: Readonly<Record<string, unknown>> = Object.freeze({});
type Bindings = WeakMap<object, Readonly<Record<string, unknown>>>;

/** A logger's bindings, parsed once per logger (pino re-parses them on every `bindings()` call). */
function boundOf(cache: Bindings, logger: Logger): Readonly<Record<string, unknown>> {
  let b = cache.get(logger);
  if (b === undefined) {
    const parsed = logger.bindings();
    b = Object.keys(parsed).length === 0 ? NONE : parsed;
    cache.set(logger, b);
  }
  return b;
}

/**
 * One record, no duplicate keys: a field a child logger already binds (`target`, `session`) is dropped
 * from the call's own object when it has the same value, and kept as `<key>.event` when it differs.
 * (pino would write the key twice, and a JSON reader keeps only one of them.)
 */
function withoutBoundKeys(cache: Bindings) {
  return function logMethod(
    this: Logger,
    args: Parameters<Logger['info']>,
    method: (...a: unknown[]) => void,
  ): void {
    const [first, ...rest] = args as unknown[];
    if (first === null || typeof first !== 'object' || first instanceof Error)
      return method.apply(this, args);
    const bound = boundOf(cache, this);
    if (bound === NONE) return method.apply(this, args);
    let obj = first as Record<string, unknown>;
    for (const key of Object.keys(bound)) {
      if (!(key in obj)) continue;
      const { [key]: value, ...others } = obj;
      obj = value === bound[key] ? others : { ...others, [`${key}.event`]: value };
    }
    return method.apply(this, [obj, ...rest]);
  };
}

/**
 * The human format: `2026-01-01T00:00:00.000Z WARN  message key=value key="two words"`. Every value is
 * escaped (src/telemetry/escape.ts), so a tool name or header carrying `ESC [` cannot drive the
 * terminal, and a newline inside a value cannot forge a line. The message is the gateway's own text: its
 * line breaks (CEL carets) are kept, each continuation line indented under a `|` so it cannot pass for
 * a record of its own.
 */
function textStream(dest: DestinationStream): DestinationStream {
  return {
    write(line: string) {
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(line) as Record<string, unknown>;
      } catch {
        dest.write(escapeControl(line.replace(/\n$/, '')) + '\n');
        return;
      }
      dest.write(formatText(rec));
    },
  };
}

export function formatText(rec: Readonly<Record<string, unknown>>): string {
  const { time, level, msg, ...rest } = rec;
  const kv = Object.entries(rest)
    .map(([k, v]) => `${escapeControl(k)}=${textValue(v)}`)
    .join(' ');
  const lines = String(msg ?? '')
    .split('\n')
    .map(escapeControl);
  const head = `${String(time)} ${String(level).toUpperCase().padEnd(5)} ${lines[0] ?? ''}${kv ? ' ' + kv : ''}`;
  const more = lines.slice(1).map((l) => `\n    | ${l}`);
  return head + more.join('') + '\n';
}

function textValue(v: unknown): string {
  if (typeof v === 'string')
    return /^[^\s"=]+$/u.test(v) ? escapeControl(v) : escapeControl(JSON.stringify(v));
  if (v !== null && typeof v === 'object' && 'message' in v && typeof v.message === 'string') {
    // An error: its message only (stack traces stay out of the human format).
    return escapeControl(JSON.stringify(v.message));
  }
  return escapeControl(JSON.stringify(v) ?? String(v));
}

/** Levels accepted by `--log-level`, `config.logging.level` and the `/logging` admin endpoint. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/**
 * Changes the level of a running logger; its child loggers follow (unless one was given its own
 * level). Used by `--log-level` and the `/logging` admin endpoint. Returns the previous level; throws a
 * RangeError naming the valid levels for anything else, so the admin endpoint can answer 400.
 */
export function setLevel(logger: Logger, level: string): LogLevel {
  const wanted = level.trim().toLowerCase();
  if (!isLogLevel(wanted)) {
    throw new RangeError(`invalid log level "${level}": expected one of ${LOG_LEVELS.join(', ')}`);
  }
  const previous = logger.level as LogLevel;
  logger.level = wanted;
  return previous;
}
