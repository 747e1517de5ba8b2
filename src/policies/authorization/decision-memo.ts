/**
 * Decisions of one compiled `mcpAuthorization` rule set remembered per identity, for rule sets whose
 * rules read nothing but the caller's verified identity (`jwt`, `apiKey`, `basicAuth`) and the item
 * (`mcp`), and call no impure function (decided at config load, src/cel/references.ts). For those, the
 * decision is a function of (identity, method, kind, target, name), so filtering the same 200-tool list
 * for the same caller evaluates the rules once per tool, not once per tool per request.
 *
 * Keyed by the Identity object: jwtAuth hands out the same object for the same token while it is cached
 * (src/policies/jwt/authenticator.ts), and a new object (a miss, never a wrong hit) otherwise. A WeakMap
 * lets an identity's memo go with it. Anonymous callers share one memo (they all see the same values).
 * The memo lives in the authorizer, so a reload starts empty. Bounded per identity: beyond
 * `MAX_PER_IDENTITY` decisions (names a caller made up in `tools/call`) that identity's memo restarts.
 */
import type { Decision, McpItem } from '../../contracts/authorization.js';
import type { Identity } from '../../contracts/request-context.js';

export const MAX_PER_IDENTITY = 4096;

interface Memo {
  size: number;
  /** `method \0 kind \0 target` → name → decision. */
  readonly scopes: Map<string, Map<string, Decision>>;
}

const ANONYMOUS: object = {};

export class DecisionMemo {
  private readonly byIdentity = new WeakMap<object, Memo>();
  /** The scope of the previous decision (holds one identity strongly until the next decision). */
  private last:
    | {
        readonly key: object;
        readonly memo: Memo;
        readonly method: string;
        readonly kind: string;
        readonly target: string;
        readonly scope: Map<string, Decision>;
      }
    | undefined;

  private memoOf(key: object): Memo {
    let memo = this.byIdentity.get(key);
    if (memo === undefined) {
      memo = { size: 0, scopes: new Map() };
      this.byIdentity.set(key, memo);
    }
    return memo;
  }

  /** The remembered decision, or `decide()`'s (remembered when `keep` says so). */
  decide(
    identity: Identity | null,
    method: string,
    item: McpItem,
    decide: () => { readonly decision: Decision; readonly keep: boolean },
  ): Decision {
    const key = identity ?? ANONYMOUS;
    // A list asks about one (identity, method, kind, target) many times in a row: then neither a
    // WeakMap lookup nor a key string per item.
    const last = this.last;
    let memo: Memo;
    let scope: Map<string, Decision> | undefined;
    if (
      last !== undefined &&
      last.key === key &&
      last.method === method &&
      last.kind === item.kind &&
      last.target === item.target
    ) {
      memo = last.memo;
      scope = last.scope;
    } else {
      memo = this.memoOf(key);
      scope = memo.scopes.get(`${method}\0${item.kind}\0${item.target}`);
      this.last = scope && { key, memo, method, kind: item.kind, target: item.target, scope };
    }
    const hit = scope?.get(item.name);
    if (hit !== undefined) return hit;
    const { decision, keep } = decide();
    if (!keep) return decision;
    if (memo.size >= MAX_PER_IDENTITY) {
      memo.scopes.clear();
      memo.size = 0;
      scope = undefined;
    }
    if (scope === undefined) {
      scope = new Map();
      memo.scopes.set(`${method}\0${item.kind}\0${item.target}`, scope);
      this.last = { key, memo, method, kind: item.kind, target: item.target, scope };
    }
    scope.set(item.name, decision);
    memo.size++;
    return decision;
  }
}
