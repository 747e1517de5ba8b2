/**
 * The OTLP environment variables agentgateway reads over `config.tracing` (they win over the file):
 * the endpoint from `OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_ENDPOINT`; headers (JSON object or `k=v,k=v`) from `OTLP_HEADERS`,
 * `OTEL_EXPORTER_OTLP_TRACES_HEADERS` or `OTEL_EXPORTER_OTLP_HEADERS`, added to the file's; the
 * protocol (`grpc`, `http`, `http/protobuf`) from `OTLP_PROTOCOL`,
 * `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` or `OTEL_EXPORTER_OTLP_PROTOCOL`. The first one set wins.
 */
import type { ConfigPath } from './types.js';

type Env = Readonly<Record<string, string | undefined>>;
type Report = (at: ConfigPath, message: string) => void;

export interface TracingEnv {
  readonly endpoint?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly protocol?: 'grpc' | 'http';
}

const AT: ConfigPath = ['config', 'tracing'];

const first = (env: Env, names: readonly string[]): [string, string] | undefined => {
  for (const n of names) {
    const v = env[n]?.trim();
    if (v) return [n, v];
  }
  return undefined;
};

export function tracingEnv(env: Env, report: Report): TracingEnv {
  const endpoint = first(env, [
    'OTLP_ENDPOINT',
    'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    'OTEL_EXPORTER_OTLP_ENDPOINT',
  ]);
  const headers = first(env, [
    'OTLP_HEADERS',
    'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
    'OTEL_EXPORTER_OTLP_HEADERS',
  ]);
  const protocol = first(env, [
    'OTLP_PROTOCOL',
    'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
    'OTEL_EXPORTER_OTLP_PROTOCOL',
  ]);
  const out: { endpoint?: string; headers?: Record<string, string>; protocol?: 'grpc' | 'http' } = {};
  if (endpoint) out.endpoint = endpoint[1];
  if (headers) {
    const parsed = parseHeaders(headers[1]);
    if (parsed) out.headers = parsed;
    // The value may hold credentials: the message names the variable only.
    else report(AT, `invalid ${headers[0]}: expected a JSON object of strings or key=value pairs`);
  }
  if (protocol) {
    const p = protocol[1].replace(/^"|"$/g, '').toLowerCase();
    if (p === 'grpc') out.protocol = 'grpc';
    else if (p === 'http' || p === 'http/protobuf') out.protocol = 'http';
    else
      report(
        AT,
        `invalid ${protocol[0]}=${JSON.stringify(protocol[1])}: expected grpc or http/protobuf (http/json is not supported)`,
      );
  }
  return out;
}

function parseHeaders(text: string): Record<string, string> | undefined {
  if (text.startsWith('{')) {
    try {
      const v: unknown = JSON.parse(text);
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
      const entries = Object.entries(v as Record<string, unknown>);
      return entries.every(([, x]) => typeof x === 'string')
        ? Object.fromEntries(entries as [string, string][])
        : undefined;
    } catch {
      return undefined;
    }
  }
  const out: Record<string, string> = {};
  for (const pair of text.split(',').map((p) => p.trim())) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) return undefined;
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}
