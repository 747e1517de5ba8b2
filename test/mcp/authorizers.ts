import type { AuthzSubject, Decision, McpAuthorizer, McpItem } from '../../src/contracts/authorization.js';

export interface TestAuthorizer extends McpAuthorizer {
  /** Every item the authorizer was asked about. */
  readonly asked: { item: McpItem; subject: AuthzSubject }[];
}

/** Allows everything (true) or nothing (false); records what was asked. */
export function ALL_OR_NOTHING(allowed: boolean): TestAuthorizer {
  return fromPredicate(() => allowed);
}

/** A pure collaborator: the decision is a predicate over the item and the subject. */
export function fromPredicate(allow: (item: McpItem, subject: AuthzSubject) => boolean): TestAuthorizer {
  const asked: { item: McpItem; subject: AuthzSubject }[] = [];
  return {
    asked,
    decide(item: McpItem, subject: AuthzSubject): Decision {
      asked.push({ item, subject });
      const allowed = allow(item, subject);
      return allowed
        ? { allowed, rule: { index: 0, effect: 'allow', source: 'test' }, reason: 'allowed by test' }
        : { allowed, rule: undefined, reason: 'no rule allowed it' };
    },
  };
}
