/**
 * The access log: one line per HTTP request, message `request`, at the level of
 * its outcome (`outcomeLevel`). For
 * Streamable HTTP one POST carries one JSON-RPC message and for the SSE transport each message is one
 * POST to the message endpoint, so this is also one line per MCP message.
 *
 * `config.logging.filter` (CEL → bool) decides whether a line is written, `fields.add` (name → CEL)
 * adds fields, `fields.remove` drops fields. Both CEL kinds are compiled here, at config load, over the
 * `log` variable set (docs/observability.md lists the variables). Empty fields are omitted; every
 * string goes through `redactTokens`, so a token never reaches a line even if an upstream's error
 * message or a `fields.add` expression carries one.
 */
import type { Logger } from 'pino';
import {
  CelMcp,
  CelMcpItem,
  CelRequest,
  CelResponse,
  CelSource,
  compileCelExpression,
  type CelActivation,
} from '../cel/index.js';
import type { ConfigPath } from '../config/types.js';
import type { BuildContext } from '../contracts/build-context.js';
import type { AccessLogFields, RequestContext } from '../contracts/request-context.js';
import { redactTokens } from './redact.js';
import { directLineWriter, jsonPair } from './access-line.js';

export { redactTokens } from './redact.js';

/** A compiled CEL expression over the `log` variables. */
export type LogExpression = (activation: CelActivation) => unknown;

/** Compiles one expression at config load, or throws a located config error. */
export type LogCompiler = (source: string, expect: 'bool' | 'any', at: ConfigPath) => LogExpression;

/** The compiler the gateway uses: src/cel with the `log` variable set, errors located through `build`. */
export function celLogCompiler(build: BuildContext): LogCompiler {
  return function compileLogExpression(source, expect, at) {
    return compileCelExpression(source, build, at, { variables: 'log', expect });
  };
}

export interface AccessLogOptions {
  readonly logger: Logger;
  readonly filter?: string | undefined;
  readonly fieldsAdd?: Readonly<Record<string, string>>;
  readonly fieldsRemove?: readonly string[];
  /** Needed when `filter` or `fieldsAdd` is set. */
  readonly compile?: LogCompiler;
  /** Clock for the CEL `now` variable (ms since the epoch); tests pin it. */
  readonly now?: () => number;
}

/** What CEL sees beyond the fields: the verified claims and the full request (headers, scheme). */
export type AccessLogSubject = Pick<RequestContext, 'identity' | 'request' | 'source'>;

export type AccessLogRecord = AccessLogFields & { duration: string };

export interface AccessLog {
  /** Write the line for one finished request (or drop it when the filter says so). */
  write(fields: AccessLogRecord, subject?: AccessLogSubject): void;
}

/** Field order on the line: where, who, what, verdict, outcome. Other fields follow in insertion order. */
const ORDER = [
  'listener',
  'route',
  'src.addr',
  'http.method',
  'http.host',
  'http.path',
  'http.status',
  'jwt.sub',
  'mcp.session',
  'mcp.method',
  'mcp.target',
  'mcp.resource.type',
  'mcp.resource.name',
  'authn.reason',
  'authz.decision',
  'authz.rule',
  'extauthz.decision',
  'ratelimit.remote',
  'retry.attempt',
  'trace.id',
  'error',
  'duration',
] as const;

const ORDER_SET: ReadonlySet<string> = new Set(ORDER);
const ORDER_JSON = ORDER.map((k) => JSON.stringify(k));

const AT: ConfigPath = ['config', 'logging'];

export function createAccessLog(opts: AccessLogOptions): AccessLog {
  const { logger } = opts;
  const adds = Object.entries(opts.fieldsAdd ?? {});
  const removed = new Set(opts.fieldsRemove ?? []);
  const needsCel = opts.filter !== undefined || adds.length > 0;
  if (needsCel && !opts.compile)
    throw new Error('createAccessLog: a CEL compiler is needed for filter/fields.add');
  const compile = opts.compile as LogCompiler;
  const filter = opts.filter === undefined ? undefined : compile(opts.filter, 'bool', [...AT, 'filter']);
  const added = adds.map(([name, source]) => ({
    name,
    expr: compile(source, 'any', [...AT, 'fields', 'add', name]),
  }));
  const now = opts.now ?? Date.now;
  // `fields.add` values can be anything CEL returns: those lines go through pino's own serializer.
  const direct = added.length === 0 ? directLineWriter(logger) : undefined;

  return {
    write: function writeAccessLog(fields: AccessLogRecord, subject?: AccessLogSubject): void {
      // Checked first: with the level above this line's, a request costs no allocation here.
      const level = outcomeLevel(fields);
      if (!logger.isLevelEnabled(level)) return;
      const activation = needsCel ? logActivation(fields, subject, now()) : undefined;
      if (filter && activation && !passes(filter, activation)) return;

      if (direct) {
        const props = directProps(fields, removed, direct.special);
        if (props !== undefined) return direct.write(logger.levels.values[level]!, props);
      }
      const line: Record<string, unknown> = {};
      for (const key of ORDER) put(line, key, fields[key]);
      for (const [key, value] of Object.entries(fields)) if (!(key in line)) put(line, key, value);
      // The CEL spelling too (`mcp.tool.name`, `mcp.prompt.name`), so a denied call's line reads like its rule.
      const type = fields['mcp.resource.type'];
      if (type === 'tool' || type === 'prompt') put(line, `mcp.${type}.name`, fields['mcp.resource.name']);
      for (const { name, expr } of added) put(line, name, evaluateField(expr, activation as CelActivation));
      for (const key of removed) delete line[key];
      logger[level](line, 'request');
    },
  };
}

/**
 * The level says the outcome: `error` for a 5xx, `warn` for a 4xx or a request answered with an error
 * in-band (a JSON-RPC error in a 200, e.g. a failed `initialize`: `error` carries why), `info` otherwise.
 */
export function outcomeLevel(fields: AccessLogFields): 'info' | 'warn' | 'error' {
  const status = fields['http.status'] ?? 0;
  if (status >= 500) return 'error';
  if (status >= 400 || (fields.error !== undefined && fields.error !== '')) return 'warn';
  return 'info';
}

/** `12ms`, like agentgateway. */
export function formatDuration(ms: number): string {
  return `${Math.max(0, Math.round(ms))}ms`;
}

/**
 * The line's `,"key":value` pairs in the same order and with the same redaction as the object the pino
 * path builds below; undefined when a field needs pino (a redaction path's root, a value that is neither
 * a string nor a finite number, a record that already carries the CEL spelling of its item's name).
 */
function directProps(
  fields: AccessLogRecord,
  removed: ReadonlySet<string>,
  special: ReadonlySet<string>,
): string | undefined {
  const record = fields as unknown as Readonly<Record<string, unknown>>;
  let out = '';
  for (let i = 0; i < ORDER.length; i++) {
    const key = ORDER[i]!;
    const value = record[key];
    if (value === undefined || value === null || value === '' || removed.has(key)) continue;
    const pair = jsonPair(ORDER_JSON[i]!, typeof value === 'string' ? redactTokens(value) : value);
    if (pair === undefined) return undefined;
    out += pair;
  }
  for (const key in record) {
    if (ORDER_SET.has(key)) continue;
    if (special.has(key) || key === 'mcp.tool.name' || key === 'mcp.prompt.name') return undefined;
    const value = record[key];
    if (value === undefined || value === null || value === '' || removed.has(key)) continue;
    const pair = jsonPair(JSON.stringify(key), typeof value === 'string' ? redactTokens(value) : value);
    if (pair === undefined) return undefined;
    out += pair;
  }
  const type = fields['mcp.resource.type'];
  const name = fields['mcp.resource.name'];
  if ((type === 'tool' || type === 'prompt') && name && !removed.has(`mcp.${type}.name`))
    out += jsonPair(`"mcp.${type}.name"`, redactTokens(name));
  return out;
}

function put(line: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined || value === null || value === '') return;
  line[key] = typeof value === 'string' ? redactTokens(value) : value;
}

/** A filter that fails to evaluate (a missing claim, no token) drops the line, as a non-matching rule would. */
function passes(filter: LogExpression, activation: CelActivation): boolean {
  try {
    return filter(activation) === true;
  } catch {
    return false;
  }
}

/** A `fields.add` value, converted from CEL to JSON; an evaluation error omits the field. */
function evaluateField(expr: LogExpression, activation: CelActivation): unknown {
  try {
    return fromCel(expr(activation));
  } catch {
    return undefined;
  }
}

/** CEL → JSON: ints become numbers (strings past 2^53), bytes base64, maps and objects plain objects. */
export function fromCel(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(fromCel);
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) out[String(k)] = fromCel(v);
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = fromCel(v);
    return out;
  }
  return value;
}

const MCP_KINDS: Readonly<Record<string, 'tool' | 'prompt' | 'resource'>> = {
  tool: 'tool',
  prompt: 'prompt',
  resource: 'resource',
  template: 'resource',
};

/**
 * The `log` activation. `response` and `mcp` are always present (`response.code` is 0 before a status
 * was written, `mcp.method` is "" outside MCP), so a filter never fails just because a line is not an
 * MCP call. Without a subject the request and the caller are rebuilt from the fields.
 */
function logActivation(
  fields: AccessLogRecord,
  subject: AccessLogSubject | undefined,
  nowMs: number,
): CelActivation {
  const kind = MCP_KINDS[fields['mcp.resource.type'] ?? ''];
  const name = fields['mcp.resource.name'];
  const item = kind && name !== undefined ? new CelMcpItem(name, fields['mcp.target'] ?? '') : undefined;
  const r = subject?.request;
  return {
    jwt: subject
      ? (subject.identity?.celClaims ?? null)
      : fields['jwt.sub']
        ? { sub: fields['jwt.sub'] }
        : null,
    apiKey: subject?.identity?.apiKey ?? null,
    basicAuth: subject?.identity?.basicAuth ?? null,
    request: r
      ? new CelRequest(r.method, r.path, r.host, r.scheme, r.headers)
      : new CelRequest(
          fields['http.method'] ?? '',
          fields['http.path'] ?? '',
          fields['http.host'] ?? '',
          'http',
          {},
        ),
    source: subject
      ? new CelSource(subject.source.address, BigInt(subject.source.port))
      : sourceFrom(fields['src.addr']),
    now: BigInt(Math.floor(nowMs / 1000)),
    mcp: new CelMcp(fields['mcp.method'] ?? '', item ? kind : undefined, item),
    response: new CelResponse(BigInt(fields['http.status'] ?? 0)),
    log: logMap(fields),
  };
}

/** The record as CEL sees it: integer fields as CEL ints, absent fields absent (`has()` works). */
function logMap(fields: AccessLogRecord): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    m.set(k, typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : v);
  }
  return m;
}

/** `1.2.3.4:5678` or `[::1]:5678` / `::1:5678` → address and port. */
function sourceFrom(addr: string | undefined): CelSource {
  if (!addr) return new CelSource('', 0n);
  const i = addr.lastIndexOf(':');
  const port = Number(addr.slice(i + 1));
  if (i < 0 || !Number.isInteger(port)) return new CelSource(addr, 0n);
  return new CelSource(addr.slice(0, i).replace(/^\[(.*)\]$/, '$1'), BigInt(port));
}
