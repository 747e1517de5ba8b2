/**
 * The static `config:` section with agentgateway's defaults. `ADMIN_ADDR`,
 * `STATS_ADDR` and `READINESS_ADDR` from the environment take precedence over the file.
 */
import { durationMs } from './duration.js';
import { normalizeLimits } from './normalize-limits.js';
import { normalizeReadiness } from './normalize-readiness.js';
import { normalizeTracing } from './normalize-tracing.js';
import { tracingEnv } from './tracing-env.js';
import type { StaticConfig } from './schema/index.js';
import type { ConfigPath, HostPort, NormalizedStatic } from './types.js';

export const STATIC_DEFAULTS = {
  adminAddr: 'localhost:15000',
  statsAddr: '0.0.0.0:15020',
  readinessAddr: '0.0.0.0:15021',
  connectionTerminationDeadlineMs: 5_000,
  maxBufferSize: 2 * 1024 * 1024,
  sessionTtlMs: 30 * 60_000,
  connectTimeoutMs: 10_000,
  poolIdleTimeoutMs: 90_000,
} as const;

type Report = (at: ConfigPath, message: string) => void;

const ADDRESS_ENV = {
  adminAddr: 'ADMIN_ADDR',
  statsAddr: 'STATS_ADDR',
  readinessAddr: 'READINESS_ADDR',
} as const;

export function normalizeStatic(
  raw: StaticConfig | undefined,
  env: Readonly<Record<string, string | undefined>>,
  report: Report,
  warn: Report = () => {},
): NormalizedStatic {
  const s = raw ?? {};
  const address = (key: keyof typeof ADDRESS_ENV): HostPort => {
    const fromEnv = env[ADDRESS_ENV[key]];
    const text = fromEnv || s[key] || STATIC_DEFAULTS[key];
    const parsed = parseHostPort(text);
    if (parsed) return parsed;
    const source = fromEnv ? ` (from the environment variable ${ADDRESS_ENV[key]})` : '';
    report(
      ['config', key],
      `expected "host:port" such as "127.0.0.1:15000" or "[::1]:15000", got ${JSON.stringify(text)}${source}`,
    );
    return parseHostPort(STATIC_DEFAULTS[key])!;
  };

  const tracing = s.tracing;
  const otlpEnv = tracing ? tracingEnv(env, report) : {};
  const otlpEndpoint = otlpEnv.endpoint ?? tracing?.otlpEndpoint;
  if (tracing && !otlpEndpoint)
    report(
      ['config', 'tracing'],
      'missing required field `otlpEndpoint` (or one of OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_ENDPOINT)',
    );
  const level = logLevelOf(s.logging?.level, report, warn);

  return {
    adminAddr: address('adminAddr'),
    statsAddr: address('statsAddr'),
    readinessAddr: address('readinessAddr'),
    connectionTerminationDeadlineMs: durationMs(
      s.connectionTerminationDeadline,
      STATIC_DEFAULTS.connectionTerminationDeadlineMs,
    ),
    maxBufferSize: s.listener?.maxBufferSize ?? STATIC_DEFAULTS.maxBufferSize,
    sessionTtlMs: durationMs(s.mcp?.sessionTtl, STATIC_DEFAULTS.sessionTtlMs),
    logging: {
      level,
      format: s.logging?.format ?? 'auto',
      filter: s.logging?.filter,
      fieldsAdd: s.logging?.fields?.add ?? {},
      fieldsRemove: s.logging?.fields?.remove ?? [],
    },
    tracing:
      tracing && otlpEndpoint
        ? normalizeTracing(
            {
              endpoint: otlpEndpoint,
              protocol: otlpEnv.protocol ?? tracing.otlpProtocol,
              path: tracing.path,
              headers: { ...tracing.headers, ...otlpEnv.headers },
              randomSampling: tracing.randomSampling,
              clientSampling: tracing.clientSampling,
              fieldsAdd: tracing.fields?.add,
              fieldsRemove: tracing.fields?.remove,
            },
            ['config', 'tracing'],
            report,
            warn,
          )
        : undefined,
    backend: {
      connectTimeoutMs: durationMs(s.backend?.connectTimeout, STATIC_DEFAULTS.connectTimeoutMs),
      poolIdleTimeoutMs: durationMs(s.backend?.poolIdleTimeout, STATIC_DEFAULTS.poolIdleTimeoutMs),
      poolMaxSize: s.backend?.poolMaxSize,
    },
    limits: normalizeLimits(s.limits),
    readiness: normalizeReadiness(s.readiness),
    raw: s,
  };
}

/** `host:port`, `[v6]:port`; `:port` means all interfaces. */
export function parseHostPort(text: string): HostPort | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}

type Level = NormalizedStatic['logging']['level'];
const LEVELS: readonly Level[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** Rust's `tracing` names (agentgateway's env-filter) for our pino levels. */
const LEVEL_ALIASES: Readonly<Record<string, Level>> = { off: 'silent', warning: 'warn' };

/** The modules that are the gateway itself: `agentgateway=debug` sets Portcullis's level. */
const GATEWAY_MODULES = new Set(['agentgateway', 'portcullis']);

/**
 * `info`, `info,rmcp=debug`, `[info, "rmcp=debug"]` → the default level. A directive for the gateway's
 * own module (`agentgateway=debug`) sets it too; other modules (agentgateway's Rust crates) do not exist
 * here and are accepted with a warning.
 */
function logLevelOf(raw: string | readonly string[] | undefined, report: Report, warn: Report): Level {
  if (raw === undefined) return 'info';
  const directives = (typeof raw === 'string' ? [raw] : raw)
    .flatMap((d) => d.split(','))
    .map((d) => d.trim());
  const at = ['config', 'logging', 'level'];
  let level: Level = 'info';
  const modules: string[] = [];
  const levelOf = (text: string): Level | undefined => {
    const t = text.trim().toLowerCase();
    return LEVEL_ALIASES[t] ?? ((LEVELS as readonly string[]).includes(t) ? (t as Level) : undefined);
  };
  for (const d of directives.filter((x) => x !== '')) {
    const eq = d.indexOf('=');
    const wanted = levelOf(eq < 0 ? d : d.slice(eq + 1));
    if (!wanted) {
      report(
        at,
        `expected a level (${LEVELS.join(', ')}) or module=level directives, got ${JSON.stringify(d)}`,
      );
    } else if (eq < 0) level = wanted;
    else if (GATEWAY_MODULES.has(d.slice(0, eq).trim().split('::')[0]!)) level = wanted;
    else modules.push(d);
  }
  if (modules.length > 0)
    warn(at, `ignored: per-module levels (${modules.join(', ')}); Portcullis has one level`);
  return level;
}
