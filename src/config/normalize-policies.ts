/**
 * One route's effective policies, merged from the levels agentgateway lets you write them at: the
 * route's own `policies`, its backends' `policies` (inline or on a named top-level backend), and the
 * listener's or gateway's policies. A policy set at two levels is refused (agentgateway runs both, in
 * different phases; Portcullis has one set per route) rather than one silently shadowing the other.
 */
import type { RoutePoliciesConfig } from './schema/index.js';
import type { ConfigPath } from './types.js';

export interface PolicyLayer {
  readonly policies: Readonly<Record<string, unknown>> | undefined;
  /** Where the layer's policies sit in the document (the object holding the policy keys). */
  readonly at: ConfigPath;
  /** For messages: `the route`, `backend "x"`, `gateway "default"`. */
  readonly what: string;
}

export interface MergedPolicies {
  readonly policies: RoutePoliciesConfig;
  /** Where each policy came from, when not `<route>.policies.<name>`. */
  readonly policyAt: Readonly<Record<string, ConfigPath>> | undefined;
}

type Report = (at: ConfigPath, message: string) => void;

/** Keys of a gateway or listener object that are not policies. */
const NOT_POLICIES = new Set([
  'port',
  'protocol',
  'tls',
  'listeners',
  'name',
  'hostname',
  'routes',
  'policies',
]);

/** The policy keys of a gateway/listener object whose policies are written inline (agentgateway flattens them). */
export function inlinePolicies(obj: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined {
  const out = Object.fromEntries(
    Object.entries(obj).filter(([k, v]) => !NOT_POLICIES.has(k) && v !== undefined),
  );
  return Object.keys(out).length > 0 ? out : undefined;
}

export function mergePolicies(
  layers: readonly PolicyLayer[],
  routePoliciesAt: ConfigPath,
  report: Report,
): MergedPolicies {
  const merged: Record<string, unknown> = {};
  const from = new Map<string, PolicyLayer>();
  const policyAt: Record<string, ConfigPath> = {};
  for (const layer of layers) {
    for (const [name, value] of Object.entries(layer.policies ?? {})) {
      if (value === undefined) continue;
      const first = from.get(name);
      if (first) {
        report(
          [...layer.at, name],
          `not supported yet: \`${name}\` set both on ${first.what} and on ${layer.what} (set it at one level)`,
        );
        continue;
      }
      from.set(name, layer);
      merged[name] = value;
      const at = [...layer.at, name];
      if (at.join('.') !== [...routePoliciesAt, name].join('.')) policyAt[name] = at;
    }
  }
  return {
    policies: merged as RoutePoliciesConfig,
    policyAt: Object.keys(policyAt).length > 0 ? policyAt : undefined,
  };
}
