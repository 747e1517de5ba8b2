/**
 * The CEL half of tracing, compiled once when tracing starts (at config load): the sampling decision
 * (`randomSampling` for requests without a `traceparent`, `clientSampling` for requests with one),
 * the span attributes added (`fields.add` / `attributes`, `span.name` renames the span) and removed,
 * the export `filter`, and the `resources`. agentgateway's semantics (its telemetry/log.rs): a
 * sampling expression yields a bool, or a ratio in [0, 1] (clamped) that is drawn per request; an
 * expression that fails to evaluate samples nothing; a failing filter drops the span.
 */
import {
  CelMcp,
  CelMcpItem,
  CelResponse,
  buildBaseActivation,
  compileCelExpression,
  type CelActivation,
  type CompiledCel,
} from '../cel/index.js';
import type { ConfigPath, NormalizedSampling, NormalizedTracing } from '../config/types.js';
import type { BuildContext } from '../contracts/build-context.js';
import type { AccessLogFields, Identity, RequestInfo } from '../contracts/request-context.js';

/** What tracing expressions see of a request (the RequestContext satisfies it). */
export interface TraceSubject {
  readonly identity: Identity | null;
  readonly request: RequestInfo;
  readonly source: { readonly address: string; readonly port: number };
}

export type SpanValue = string | number | boolean;

export interface TracePolicy {
  /** Whether to trace this request; `withParent` when it carries a valid `traceparent`. */
  sample(withParent: boolean, subject: TraceSubject | undefined): boolean;
  /** Attribute names dropped from the request span (`fields.remove` / `remove`). */
  readonly removed: ReadonlySet<string>;
  /** The attributes `fields.add` computes at the end of the request; `spanName` from `span.name`. */
  added(
    fields: AccessLogFields,
    status: number,
    subject: TraceSubject | undefined,
  ): {
    readonly attributes: Record<string, SpanValue>;
    readonly spanName: string | undefined;
  };
  /** The export filter: false drops the request's spans. Undefined without a filter. */
  readonly keep:
    ((fields: AccessLogFields, status: number, subject: TraceSubject | undefined) => boolean) | undefined;
  /** Resource attributes, evaluated once. */
  readonly resources: Readonly<Record<string, SpanValue>>;
}

type Sampler = (subject: TraceSubject | undefined) => boolean;

export function compileTracePolicy(cfg: NormalizedTracing, build: BuildContext | undefined): TracePolicy {
  const compile = (
    source: string,
    set: 'http' | 'log',
    expect: 'bool' | 'any',
    at: ConfigPath,
  ): CompiledCel => {
    if (!build) throw new Error('tracing: a build context is needed to compile CEL expressions');
    return compileCelExpression(source, build, at, { variables: set, expect });
  };
  const random = sampler(cfg.randomSampling, compile);
  const client = sampler(cfg.clientSampling, compile);
  const adds = Object.entries(cfg.fieldsAdd).map(([name, source]) => ({
    name,
    spread: flattenDepth(source),
    expr: compile(source, 'log', 'any', [...cfg.at, cfg.at[0] === 'config' ? 'fields' : 'attributes', name]),
  }));
  const filter =
    cfg.filter === undefined ? undefined : compile(cfg.filter, 'log', 'bool', [...cfg.at, 'filter']);
  const resources: Record<string, SpanValue> = {};
  for (const [name, source] of Object.entries(cfg.resources)) {
    const at = [...cfg.at, 'resources', name];
    const expr = compile(source, 'log', 'any', at);
    const v = attributeValue(tryEval(expr, spanActivation({}, 0, undefined)));
    if (v === undefined && build)
      throw build.error(at, 'a resource attribute must evaluate to a value without a request');
    if (v !== undefined) resources[name] = v;
  }

  return {
    sample: (withParent, subject) => (withParent ? client : random)(subject),
    removed: new Set(cfg.fieldsRemove),
    added(fields, status, subject) {
      const attributes: Record<string, SpanValue> = {};
      let spanName: string | undefined;
      if (adds.length === 0) return { attributes, spanName };
      const act = spanActivation(fields, status, subject);
      for (const { name, expr, spread } of adds) {
        if (spread > 0) {
          flattenInto(attributes, name, tryEval(expr, act), spread);
          continue;
        }
        const v = attributeValue(tryEval(expr, act));
        if (v === undefined) continue;
        if (name === 'span.name') spanName = typeof v === 'string' ? v : undefined;
        else attributes[name] = v;
      }
      return { attributes, spanName };
    },
    keep: filter
      ? (fields, status, subject) => tryEval(filter, spanActivation(fields, status, subject)) === true
      : undefined,
    resources,
  };
}

function sampler(
  s: NormalizedSampling,
  compile: (source: string, set: 'http', expect: 'any', at: ConfigPath) => CompiledCel,
): Sampler {
  if ('ratio' in s) {
    const ratio = s.ratio;
    if (ratio >= 1) return () => true;
    if (ratio <= 0) return () => false;
    return () => Math.random() < ratio;
  }
  const expr = compile(s.expression, 'http', 'any', s.at);
  return function sampleByCel(subject) {
    const v = subject
      ? tryEval(
          expr,
          buildBaseActivation({
            identity: subject.identity,
            request: subject.request,
            source: subject.source,
          }),
        )
      : undefined;
    return draw(v);
  };
}

/** agentgateway's `eval_rng`: a bool decides; a number is a probability (clamped to [0, 1]); else no. */
export function draw(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number' && !Number.isNaN(v)) return Math.random() < Math.min(1, Math.max(0, v));
  if (typeof v === 'bigint') return v >= 1n;
  return false;
}

/** Evaluate; an error is `undefined`. Stack traces are off meanwhile: a missing claim throws, and the trace is never read. */
function tryEval(expr: CompiledCel, act: CelActivation): unknown {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return expr(act);
  } catch {
    return undefined;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** CEL → an OTLP attribute value: strings, bools and numbers as they are; maps and lists as JSON. */
function attributeValue(v: unknown): SpanValue | undefined {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isNaN(v) ? undefined : v;
  if (typeof v === 'bigint')
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(v)
      : v.toString();
  if (v === null || v === undefined) return undefined;
  try {
    return JSON.stringify(v, (_k, x: unknown) =>
      typeof x === 'bigint' ? Number(x) : x instanceof Map ? Object.fromEntries(x) : x,
    );
  } catch {
    return undefined;
  }
}

/**
 * `name: flatten(expr)` spreads a map or list into one attribute per entry (`name.key`), one level
 * deep; `flattenRecursive(expr)` all the way down (agentgateway's log and trace fields). 0: no spread.
 */
function flattenDepth(source: string): number {
  const m = /^\s*flatten(Recursive)?\s*\(/.exec(source);
  return m ? (m[1] ? Infinity : 1) : 0;
}

function flattenInto(out: Record<string, SpanValue>, prefix: string, v: unknown, depth: number): void {
  const entries: [string, unknown][] | undefined =
    v instanceof Map
      ? [...v].map(([k, x]) => [String(k), x])
      : Array.isArray(v)
        ? v.map((x, i) => [String(i), x])
        : v !== null && typeof v === 'object' && !(v instanceof Uint8Array)
          ? Object.entries(v)
          : undefined;
  if (!entries || depth <= 0) {
    const a = attributeValue(v);
    if (a !== undefined) out[prefix] = a;
    return;
  }
  for (const [k, x] of entries) flattenInto(out, `${prefix}.${k}`, x, depth - 1);
}

const MCP_KINDS: Readonly<Record<string, 'tool' | 'prompt' | 'resource'>> = {
  tool: 'tool',
  prompt: 'prompt',
  resource: 'resource',
  template: 'resource',
};

const NO_REQUEST: TraceSubject = {
  identity: null,
  request: { method: '', path: '', host: '', scheme: 'http', headers: {} },
  source: { address: '', port: 0 },
};

/** The `log` variables for a finished request, as the access log's filter sees them. */
function spanActivation(
  fields: AccessLogFields,
  status: number,
  subject: TraceSubject | undefined,
): CelActivation {
  const base = buildBaseActivation(subject ?? NO_REQUEST, { response: { code: status } });
  const kind = MCP_KINDS[fields['mcp.resource.type'] ?? ''];
  const name = fields['mcp.resource.name'];
  const item = kind && name !== undefined ? new CelMcpItem(name, fields['mcp.target'] ?? '') : undefined;
  const log = new Map<string, unknown>();
  for (const [k, v] of Object.entries(fields)) {
    if (v !== undefined) log.set(k, typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : v);
  }
  return {
    ...base,
    response: new CelResponse(BigInt(status)),
    mcp: new CelMcp(fields['mcp.method'] ?? '', item ? kind : undefined, item),
    log,
  };
}
