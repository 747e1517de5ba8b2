/**
 * `directResponse` policy: the route answers by itself with a status and a
 * `text/plain` body; no backend is called. A fixed body is encoded once at load; agentgateway's
 * `bodyExpression` (CEL, compiled at load) is evaluated per request. The conditional form
 * (`conditional: [{condition, status, body|bodyExpression}, …]`) answers with the first entry whose
 * condition is true (an entry without one always matches); when none matches, the backend answers.
 */
import { buildBaseActivation, compileCelExpression, evaluateBool } from '../../cel/index.js';
import type { CompiledCel } from '../../cel/index.js';
import type { ConfigPath } from '../../config/types.js';
import type { DirectResponseConfig } from '../../config/schema/policies.js';
import type { BuildContext } from '../../contracts/build-context.js';
import type { RequestContext } from '../../contracts/request-context.js';
import type { CompiledDirectResponse } from '../types.js';

/** Statuses whose responses never carry a body (RFC 9110 §6.4.1). */
const NO_BODY = new Set([204, 205, 304]);

interface Entry {
  readonly condition: CompiledCel | undefined;
  readonly status: number;
  readonly body: Buffer | CompiledCel;
}

function activation(ctx: RequestContext) {
  return buildBaseActivation({ identity: ctx.identity, request: ctx.request, source: ctx.source });
}

function bodyOf(entry: Entry, ctx: RequestContext): Buffer {
  if (Buffer.isBuffer(entry.body)) return entry.body;
  try {
    const v = entry.body(activation(ctx));
    return Buffer.from(
      typeof v === 'string' ? v : v instanceof Uint8Array ? Buffer.from(v).toString() : String(v),
    );
  } catch {
    // The expression failed for this request: an empty body rather than an error page.
    return Buffer.alloc(0);
  }
}

function write(ctx: RequestContext, status: number, body: Buffer): void {
  const { res } = ctx;
  if (body.length === 0 || NO_BODY.has(status)) {
    res.writeHead(status, NO_BODY.has(status) ? {} : { 'content-length': 0 });
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': body.length });
  // HEAD: same headers, no body (node drops the body itself, but do not hand it one).
  res.end(ctx.req.method === 'HEAD' ? undefined : body);
}

class DirectResponsePolicy implements CompiledDirectResponse {
  readonly #entries: readonly Entry[];
  constructor(entries: readonly Entry[]) {
    this.#entries = entries;
  }

  respond(ctx: RequestContext): boolean {
    const entries = this.#entries;
    const act = entries.some((e) => e.condition) ? activation(ctx) : undefined;
    const entry = entries.find((e) => !e.condition || evaluateBool(e.condition, act!).value);
    if (!entry) return false;
    write(ctx, entry.status, bodyOf(entry, ctx));
    return true;
  }
}

type Spec = {
  status: number;
  body?: string | undefined;
  bodyExpression?: string | undefined;
  condition?: string;
};

function compileEntry(cfg: Spec, ctx: BuildContext, at: ConfigPath): Entry {
  if (cfg.status < 200) {
    throw ctx.error([...at, 'status'], `status ${cfg.status} is informational and cannot end a response`);
  }
  if (cfg.body !== undefined && cfg.bodyExpression !== undefined) {
    throw ctx.error([...at, 'bodyExpression'], 'set either body or bodyExpression, not both');
  }
  const body =
    cfg.bodyExpression !== undefined
      ? compileCelExpression(cfg.bodyExpression, ctx, [...at, 'bodyExpression'], {
          variables: 'http',
          expect: 'any',
        })
      : Buffer.from(cfg.body ?? '', 'utf8');
  if (Buffer.isBuffer(body) && body.length > 0 && NO_BODY.has(cfg.status)) {
    throw ctx.error([...at, 'body'], `a ${cfg.status} response cannot have a body`);
  }
  const condition =
    cfg.condition === undefined
      ? undefined
      : compileCelExpression(cfg.condition, ctx, [...at, 'condition'], { variables: 'http', expect: 'bool' });
  return { condition, status: cfg.status, body };
}

export function compileDirectResponse(
  cfg: DirectResponseConfig,
  ctx: BuildContext,
  at: ConfigPath,
): CompiledDirectResponse {
  const entries =
    'conditional' in cfg
      ? cfg.conditional.map((c, i) => compileEntry(c, ctx, [...at, 'conditional', i]))
      : [compileEntry(cfg, ctx, at)];
  return new DirectResponsePolicy(entries);
}
