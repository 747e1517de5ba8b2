import { pino, type DestinationStream, type Logger } from 'pino';

export interface LoggerOptions {
  readonly level: string;
  readonly format: 'json' | 'text';
  /** Where lines go; default stdout. Tests pass a stream to capture lines. */
  readonly destination?: DestinationStream | NodeJS.WritableStream;
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
  const base = {
    level: opts.level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (opts.format === 'text') {
    return pino({ ...base }, textStream(dest));
  }
  return pino(base, dest);
}

/** A dependency-free human format: `2026-01-01T00:00:00Z INFO message key=value …`. */
function textStream(dest: DestinationStream): DestinationStream {
  return {
    write(line: string) {
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(line) as Record<string, unknown>;
      } catch {
        dest.write(line);
        return;
      }
      const { time, level, msg, ...rest } = rec;
      const kv = Object.entries(rest)
        .map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`)
        .join(' ');
      dest.write(
        `${String(time)} ${String(level).toUpperCase()} ${String(msg ?? '')}${kv ? ' ' + kv : ''}\n`,
      );
    },
  };
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
