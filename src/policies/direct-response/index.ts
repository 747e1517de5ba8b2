/**
 * `directResponse` policy (reference §6.3): the route answers by itself with a fixed status and a
 * `text/plain` body; no backend is called. The body is encoded once at load.
 */
import type { ConfigPath } from '../../config/types.js';
import type { DirectResponseConfig } from '../../config/schema/policies.js';
import type { BuildContext } from '../../runtime/build-context.js';
import type { RequestContext } from '../../server/context.js';
import type { CompiledDirectResponse } from '../types.js';

/** Statuses whose responses never carry a body (RFC 9110 §6.4.1). */
const NO_BODY = new Set([204, 205, 304]);

class DirectResponsePolicy implements CompiledDirectResponse {
  readonly #status: number;
  readonly #body: Buffer;
  constructor(status: number, body: Buffer) {
    this.#status = status;
    this.#body = body;
  }

  respond(ctx: RequestContext): void {
    const { res } = ctx;
    if (this.#body.length === 0) {
      res.writeHead(this.#status, NO_BODY.has(this.#status) ? {} : { 'content-length': 0 });
      res.end();
      return;
    }
    res.writeHead(this.#status, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': this.#body.length,
    });
    // HEAD: same headers, no body (node drops the body itself, but do not hand it one).
    res.end(ctx.req.method === 'HEAD' ? undefined : this.#body);
  }
}

export function compileDirectResponse(
  cfg: DirectResponseConfig,
  ctx: BuildContext,
  at: ConfigPath,
): CompiledDirectResponse {
  if (cfg.status < 200) {
    throw ctx.error([...at, 'status'], `status ${cfg.status} is informational and cannot end a response`);
  }
  const body = Buffer.from(cfg.body ?? '', 'utf8');
  if (body.length > 0 && NO_BODY.has(cfg.status)) {
    throw ctx.error([...at, 'body'], `a ${cfg.status} response cannot have a body`);
  }
  return new DirectResponsePolicy(cfg.status, body);
}
