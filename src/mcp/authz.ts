import type { NormalizedTarget } from '../config/types.js';
import { describeRule } from '../policies/authorization/rule-ref.js';
import { compileToolFilter } from '../policies/authorization/tool-filter.js';
import type { RequestContext } from '../server/context.js';
import type { AuthzSubject, Decision, McpAuthorizer, McpItem, McpItemKind } from './authorizer.js';

/** Compiled static tool filters, one per target config object (built once, looked up per request). */
export class ToolFilters {
  private readonly cache = new WeakMap<NormalizedTarget, (name: string) => boolean>();

  for(target: NormalizedTarget): (name: string) => boolean {
    let f = this.cache.get(target);
    if (!f) {
      f = compileToolFilter(target.tools);
      this.cache.set(target, f);
    }
    return f;
  }
}

const HIDDEN: Decision = { allowed: false, rule: undefined, reason: 'hidden by the target tools filter' };

/**
 * The per-request gate: static `tools: {include, exclude}` first (hides for everyone), then the route's
 * authorizer — the same decision for list filtering and for calls (issue 5: existence is never leaked).
 */
export class ItemGate {
  readonly subject: AuthzSubject;
  private readonly authorizer: McpAuthorizer;
  private readonly filters: ToolFilters;
  private readonly targets: ReadonlyMap<string, NormalizedTarget>;

  constructor(
    ctx: RequestContext,
    authorizer: McpAuthorizer,
    filters: ToolFilters,
    targets: readonly NormalizedTarget[],
    mcpMethod: string,
  ) {
    this.subject = { identity: ctx.identity, request: ctx.request, source: ctx.source, mcpMethod };
    this.authorizer = authorizer;
    this.filters = filters;
    this.targets = new Map(targets.map((t) => [t.name, t]));
  }

  decide(kind: McpItemKind, name: string, target: string): Decision {
    if (kind === 'tool') {
      const t = this.targets.get(target);
      if (t && !this.filters.for(t)(name)) return HIDDEN;
    }
    const item: McpItem = { kind, name, target };
    return this.authorizer.decide(item, this.subject);
  }

  allows(kind: McpItemKind, name: string, target: string): boolean {
    return this.decide(kind, name, target).allowed;
  }
}

/** The access-log fields of one decided call. */
export function recordDecision(ctx: RequestContext, d: Decision): void {
  ctx.log['authz.decision'] = d.allowed ? 'allow' : 'deny';
  ctx.log['authz.rule'] = d.rule ? describeRule(d.rule) : d.reason;
}
