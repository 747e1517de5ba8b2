/**
 * `requestHeaderModifier` / `responseHeaderModifier`: `add` appends, `set` replaces,
 * `remove` deletes — applied in that order (agentgateway's), so `remove` wins over both.
 *
 * Request side: `applyTo(ctx.upstreamHeaders)` after header hygiene.
 * Response side: `applyToResponse(res)` once per request, before the handler runs. It wraps
 * `res.writeHead` so the modifier is applied to the *final* header set — also to headers that the MCP
 * handler or an error path set later, and to implicit heads (`res.write`/`res.end` without writeHead).
 */
import type { ServerResponse } from 'node:http';
import type { OutgoingHttpHeader, OutgoingHttpHeaders } from 'node:http';
import type { ConfigPath } from '../../config/types.js';
import type { HeaderModifierConfig } from '../../config/schema/policies.js';
import type { BuildContext } from '../../contracts/build-context.js';
import type { CompiledHeaderModifier } from '../types.js';
import { isManagedByGateway, isToken, isValidHeaderValue } from './names.js';

type Pair = readonly [name: string, value: string];

interface Rules {
  readonly add: readonly Pair[];
  readonly set: readonly Pair[];
  readonly remove: readonly string[];
}

class HeaderModifierPolicy implements CompiledHeaderModifier {
  readonly #rules: Rules;
  /** Responses already wrapped by this modifier (a second call is a no-op, not a double append). */
  readonly #wrapped = new WeakSet<ServerResponse>();
  constructor(rules: Rules) {
    this.#rules = rules;
  }

  applyTo(headers: Record<string, string>): void {
    for (const [name, value] of this.#rules.add) {
      const prev = headers[name];
      headers[name] = prev === undefined || prev === '' ? value : `${prev}, ${value}`;
    }
    for (const [name, value] of this.#rules.set) headers[name] = value;
    for (const name of this.#rules.remove) delete headers[name];
  }

  applyToResponse(res: ServerResponse): void {
    if (this.#wrapped.has(res) || res.headersSent) return;
    this.#wrapped.add(res);
    const rules = this.#rules;
    const original = res.writeHead as (
      this: ServerResponse,
      status: number,
      reason?: string,
    ) => ServerResponse;
    // Node's implicit head (`res.write`/`res.end`/`flushHeaders` without writeHead) also calls
    // `this.writeHead(statusCode)`, so this one override sees every response head.
    const writeHead = function responseHeaderModifier(
      this: ServerResponse,
      status: number,
      reasonOrHeaders?: string | OutgoingHttpHeaders | OutgoingHttpHeader[],
      maybeHeaders?: OutgoingHttpHeaders | OutgoingHttpHeader[],
    ): ServerResponse {
      const reason = typeof reasonOrHeaders === 'string' ? reasonOrHeaders : undefined;
      const headers = typeof reasonOrHeaders === 'string' ? maybeHeaders : reasonOrHeaders;
      mergeIntoResponse(this, headers);
      for (const [name, value] of rules.add) this.appendHeader(name, value);
      for (const [name, value] of rules.set) this.setHeader(name, value);
      for (const name of rules.remove) this.removeHeader(name);
      return reason === undefined ? original.call(this, status) : original.call(this, status, reason);
    };
    res.writeHead = writeHead as ServerResponse['writeHead'];
  }
}

/**
 * Move headers passed to writeHead into the response's own header list (node gives writeHead's headers
 * precedence over setHeader ones; so do we), so the modifier sees one complete set.
 */
export function mergeIntoResponse(
  res: ServerResponse,
  headers: OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined,
): void {
  if (headers === undefined) return;
  if (!Array.isArray(headers)) {
    for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value);
    return;
  }
  // Array forms: [[name, value], …] or the flat raw form [name, value, name, value, …].
  const pairs: [string, OutgoingHttpHeader][] = [];
  if (headers.length > 0 && Array.isArray(headers[0])) {
    for (const p of headers as unknown as [string, OutgoingHttpHeader][]) pairs.push([p[0], p[1]]);
  } else {
    for (let i = 0; i + 1 < headers.length; i += 2) pairs.push([String(headers[i]), headers[i + 1]!]);
  }
  const seen = new Set<string>();
  for (const [name, value] of pairs) {
    const lower = name.toLowerCase();
    if (!seen.has(lower)) res.removeHeader(lower);
    seen.add(lower);
    res.appendHeader(name, typeof value === 'number' ? String(value) : value);
  }
}

function checkName(name: string, ctx: BuildContext, at: ConfigPath): string {
  if (!isToken(name)) throw ctx.error(at, `"${name}" is not a valid header name`);
  const lower = name.toLowerCase();
  if (isManagedByGateway(lower)) {
    throw ctx.error(at, `"${name}" is managed by the gateway and cannot be modified`);
  }
  return lower;
}

function compilePairs(map: Record<string, string> | undefined, ctx: BuildContext, at: ConfigPath): Pair[] {
  const out: Pair[] = [];
  for (const [name, value] of Object.entries(map ?? {})) {
    const lower = checkName(name, ctx, [...at, name]);
    if (!isValidHeaderValue(value)) {
      throw ctx.error([...at, name], `the value of "${name}" contains a control character`);
    }
    out.push([lower, value]);
  }
  return out;
}

export function compileHeaderModifier(
  cfg: HeaderModifierConfig,
  ctx: BuildContext,
  at: ConfigPath,
): CompiledHeaderModifier {
  const add = compilePairs(cfg.add, ctx, [...at, 'add']);
  const set = compilePairs(cfg.set, ctx, [...at, 'set']);
  const remove = (cfg.remove ?? []).map((name, i) => checkName(name, ctx, [...at, 'remove', i]));
  return new HeaderModifierPolicy(Object.freeze({ add, set, remove }));
}
