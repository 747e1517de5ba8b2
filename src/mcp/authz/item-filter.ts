import { describeRule } from '../../policies/authorization/rule-ref.js';
import type { RequestContext } from '../../contracts/request-context.js';
import type {
  AuthzSubject,
  Decision,
  McpAuthorizer,
  McpItem,
  McpItemKind,
} from '../../contracts/authorization.js';

const HIDDEN: Decision = { allowed: false, rule: undefined, reason: 'hidden by the target tools filter' };

/**
 * The per-request gate: static `tools: {include, exclude}` first (hides for everyone), then the route's
 * authorizer — the same decision for list filtering and for calls (existence is never leaked).
 */
export class ItemGate {
  readonly subject: AuthzSubject;
  private readonly authorizer: McpAuthorizer;
  /** The backend's static tool filters by target name (compiled at load, src/runtime/build.ts). */
  private readonly filters: ReadonlyMap<string, (name: string) => boolean>;

  constructor(
    ctx: RequestContext,
    authorizer: McpAuthorizer,
    filters: ReadonlyMap<string, (name: string) => boolean>,
    mcpMethod: string,
  ) {
    this.subject = { identity: ctx.identity, request: ctx.request, source: ctx.source, mcpMethod };
    this.authorizer = authorizer;
    this.filters = filters;
  }

  decide(kind: McpItemKind, name: string, target: string): Decision {
    if (kind === 'tool' && this.filters.get(target)?.(name) === false) return HIDDEN;
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
