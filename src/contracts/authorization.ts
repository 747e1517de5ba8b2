import type { Identity, RequestInfo } from './request-context.js';

export type McpItemKind = 'tool' | 'prompt' | 'resource';

/** An item being decided: names are the upstream's own (unprefixed) names; resources use the URI/template. */
export interface McpItem {
  readonly kind: McpItemKind;
  readonly name: string;
  readonly target: string;
}

/** Who is asking, and how. Built once per request. */
export interface AuthzSubject {
  readonly identity: Identity | null;
  readonly request: RequestInfo;
  readonly source: { readonly address: string; readonly port: number };
  readonly mcpMethod: string;
}

export interface DecidingRule {
  readonly index: number;
  readonly effect: 'allow' | 'deny' | 'require';
  readonly source: string;
}

export interface Decision {
  readonly allowed: boolean;
  /** The rule that decided; undefined when no rule decided (no rules → allow, nothing matched → deny). */
  readonly rule: DecidingRule | undefined;
  /** Human-readable "why", e.g. `allowed by rules[0]: mcp.tool.name == "echo"` or `no rule allowed it`. */
  readonly reason: string;
}

/**
 * The one authorizer (one decision for lists and calls). The MCP layer asks it per item for list
 * filtering and before forwarding calls; `explain` asks it for every item of every target.
 */
export interface McpAuthorizer {
  decide(item: McpItem, subject: AuthzSubject): Decision;
}

/** The authorizer used when a route has no mcpAuthorization policy. */
export const ALLOW_ALL: McpAuthorizer = {
  decide: () => ({ allowed: true, rule: undefined, reason: 'no rules: allowed' }),
};
