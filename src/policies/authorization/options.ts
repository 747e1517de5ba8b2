/**
 * What the authorization compilers accept besides the config: a sink for "deny rule failed" warnings and
 * a clock. Both injectable (no globals); the runtime builder passes the gateway logger.
 */
import type { DecidingRule } from '../../contracts/authorization.js';
import type { AuthzSubject, McpItem } from '../../contracts/authorization.js';
import { ruleRef } from './rule-ref.js';

export interface DenyRuleErrorEvent {
  readonly rule: DecidingRule;
  readonly error: Error;
  /** The item being decided (mcpAuthorization only). */
  readonly item?: McpItem;
  readonly subject: Omit<AuthzSubject, 'mcpMethod'> & { readonly mcpMethod?: string };
}

export interface AuthorizationOptions {
  /**
   * Called when a deny rule errors at evaluation (it then does not deny — fail-open).
   * Default: nothing. `denyRuleWarner(logger)` logs a warning.
   */
  readonly onDenyRuleError?: (event: DenyRuleErrorEvent) => void;
  /** Clock in ms since the epoch for the CEL `now` variable (tests pin it). Default Date.now. */
  readonly now?: () => number;
}

/** The minimal logger surface used (pino's). */
export interface WarnLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}

/** A handler that logs each failing deny rule as a warning (rule, error, subject, item; never the token). */
export function denyRuleWarner(logger: WarnLogger): (event: DenyRuleErrorEvent) => void {
  return function warnDenyRuleError(event) {
    const nl = event.error.message.indexOf('\n');
    logger.warn(
      {
        'authz.rule': ruleRef(event.rule.index),
        'authz.rule.source': event.rule.source,
        error: nl < 0 ? event.error.message : event.error.message.slice(0, nl),
        'jwt.sub': event.subject.identity?.sub,
        ...(event.item
          ? { [`mcp.${event.item.kind}.name`]: event.item.name, 'mcp.target': event.item.target }
          : {}),
      },
      'authorization deny rule failed to evaluate, so it did not deny (use allow/require rules to fail closed)',
    );
  };
}
