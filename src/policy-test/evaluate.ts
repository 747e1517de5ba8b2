/**
 * Runs policy test cases against a compiled config, without any upstream: each case goes through the
 * route's policies in the gateway's order — authentication (jwtAuth, mcpAuthentication), HTTP
 * `authorization`, the target's static tools filter, then the route's `McpAuthorizer` — exactly the
 * objects the gateway itself asks (src/server/pipeline.ts, src/mcp/authz/item-filter.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { toCelClaims } from '../cel/index.js';
import type { NormalizedTarget } from '../config/types.js';
import type { AuthzSubject, Decision, McpItemKind } from '../contracts/authorization.js';
import { ruleRef } from '../policies/authorization/rule-ref.js';
import type { RuntimeRoute, Snapshot } from '../runtime/snapshot.js';
import type { Identity, RequestInfo } from '../contracts/request-context.js';
import type { PolicyTestCase } from './cases.js';

export type Outcome = 'allow' | 'deny' | 'unauthenticated';

export interface CaseResult {
  readonly name: string;
  readonly ok: boolean;
  readonly expected: Outcome;
  readonly actual: Outcome | 'error';
  readonly expectedRule: string | undefined;
  /** The deciding rule (`rules[N]`, `authorization.rules[N]` for the HTTP policy) or `none`. */
  readonly rule: string;
  readonly reason: string;
}

const METHOD: Readonly<Record<McpItemKind, string>> = {
  tool: 'tools/call',
  prompt: 'prompts/get',
  resource: 'resources/read',
};

/** The MCP route the cases run against: by key or name, or the only one. */
export function pickRoute(snap: Snapshot, wanted: string | undefined): RuntimeRoute {
  const routes = snap.binds
    .flatMap((b) => b.listeners.flatMap((l) => l.routes))
    .filter((r) => r.backend?.kind === 'mcp');
  const keys = routes.map((r) => r.key).join(', ') || 'none';
  if (wanted === undefined) {
    if (routes.length === 1) return routes[0] as RuntimeRoute;
    throw new Error(`the config has ${routes.length} MCP routes (${keys}): name one with \`route:\``);
  }
  const r = routes.find((x) => x.key === wanted || x.name === wanted);
  if (!r) throw new Error(`no MCP route "${wanted}" in the config (MCP routes: ${keys})`);
  return r;
}

export function caseName(c: PolicyTestCase, index: number): string {
  if (c.name) return c.name;
  const who =
    c.identity === undefined || c.identity === 'anonymous'
      ? 'anonymous'
      : 'claims' in c.identity
        ? `sub=${String(c.identity.claims.sub ?? '?')}`
        : 'token';
  const [kind, name] = itemOf(c);
  return `case ${index + 1}: ${who} ${kind} ${name}${c.target ? ` (${c.target})` : ''} → ${c.expect}`;
}

function itemOf(c: PolicyTestCase): [McpItemKind, string] {
  if (c.tool !== undefined) return ['tool', c.tool];
  if (c.prompt !== undefined) return ['prompt', c.prompt];
  return ['resource', c.resource as string];
}

function identityFromClaims(claims: Readonly<Record<string, unknown>>): Identity {
  return {
    claims,
    celClaims: toCelClaims(claims),
    sub: typeof claims.sub === 'string' ? claims.sub : undefined,
    issuer: typeof claims.iss === 'string' ? claims.iss : '',
    rawToken: '',
  };
}

type Authn = { identity: Identity | null } | { rejected: string };

/** What the route's authentication makes of the case's identity (claims are taken as verified). */
async function authenticate(route: RuntimeRoute, c: PolicyTestCase, dir: string): Promise<Authn> {
  const id = c.identity ?? 'anonymous';
  if (id !== 'anonymous' && 'claims' in id) return { identity: identityFromClaims(id.claims) };
  let token: string | undefined;
  if (id !== 'anonymous') {
    if ('token' in id) token = id.token;
    else {
      const file = resolve(dir, id.tokenFile);
      if (!existsSync(file)) return { rejected: `token file not found: ${id.tokenFile}` };
      token = readFileSync(file, 'utf8').trim();
    }
  }
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  let identity: Identity | null = null;
  try {
    if (route.policies.jwtAuth) identity = await route.policies.jwtAuth.authenticate(headers);
    if (route.policies.mcpAuthentication)
      identity = (await route.policies.mcpAuthentication.authenticator.authenticate(headers)) ?? identity;
  } catch (e) {
    return { rejected: e instanceof Error ? e.message : 'rejected' };
  }
  return { identity };
}

interface Verdict {
  readonly outcome: Outcome;
  readonly rule: string;
  readonly reason: string;
}

function fromDecision(d: Decision, prefix = ''): Verdict {
  return {
    outcome: d.allowed ? 'allow' : 'deny',
    rule: d.rule ? `${prefix}${ruleRef(d.rule.index)}` : 'none',
    reason: d.reason,
  };
}

async function decideCase(route: RuntimeRoute, c: PolicyTestCase, dir: string): Promise<Verdict> {
  const backend = route.backend?.kind === 'mcp' ? route.backend.mcp : undefined;
  if (!backend) throw new Error(`route ${route.key} has no MCP backend`);
  const authn = await authenticate(route, c, dir);
  if ('rejected' in authn)
    return { outcome: 'unauthenticated', rule: 'none', reason: `token rejected (401): ${authn.rejected}` };
  const request: RequestInfo = {
    method: 'POST',
    path: '/mcp',
    host: 'localhost',
    scheme: 'http',
    headers: Object.fromEntries(Object.entries(c.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
  };
  const source = { address: '127.0.0.1', port: 0 };
  const http = route.policies.authorization?.check({ identity: authn.identity, request, source });
  if (http && !http.allowed) return fromDecision(http, 'authorization.');

  const [kind, given] = itemOf(c);
  const targets = backend.targets;
  const naming = backend.naming;
  let targetName = c.target;
  let name = given;
  if (targetName === undefined) {
    const split = kind === 'resource' ? naming.splitUri(given) : naming.splitName(given);
    if (!split) {
      throw new Error(
        `${kind} "${given}" names no target: clients see names prefixed with the target on this route ` +
          `(${targets.map((t) => t.name).join(', ')}); give \`target:\` or the prefixed name`,
      );
    }
    targetName = split.target;
    name = 'uri' in split ? split.uri : split.name;
  }
  const target = targets.find((t) => t.name === targetName) as NormalizedTarget | undefined;
  if (!target) {
    throw new Error(
      `no target "${targetName}" on route ${route.key} (targets: ${targets.map((t) => t.name).join(', ')})`,
    );
  }
  if (kind === 'tool' && !(backend.toolFilters.get(target.name)?.(name) ?? true))
    return { outcome: 'deny', rule: 'none', reason: 'hidden for everyone by the target tools filter' };
  const subject: AuthzSubject = { identity: authn.identity, request, source, mcpMethod: METHOD[kind] };
  return fromDecision(backend.authorizer.decide({ kind, name, target: target.name }, subject));
}

export async function runCases(
  route: RuntimeRoute,
  cases: readonly PolicyTestCase[],
  dir: string,
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const [i, c] of cases.entries()) {
    const name = caseName(c, i);
    try {
      const v = await decideCase(route, c, dir);
      const ruleOk = c.rule === undefined || c.rule === v.rule;
      results.push({
        name,
        ok: v.outcome === c.expect && ruleOk,
        expected: c.expect,
        actual: v.outcome,
        expectedRule: c.rule,
        rule: v.rule,
        reason: v.reason,
      });
    } catch (e) {
      results.push({
        name,
        ok: false,
        expected: c.expect,
        actual: 'error',
        expectedRule: c.rule,
        rule: 'none',
        reason: e instanceof Error ? e.message : String(e),
      });
    }
  }
  return results;
}
