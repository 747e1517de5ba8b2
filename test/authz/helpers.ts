/** Shared scaffolding for the CEL / authorization tests: a recording BuildContext, subjects, identities. */
import { readFileSync } from 'node:fs';
import type { ConfigPath } from '../../src/config/types.js';
import type { AuthzSubject, McpItem, McpItemKind } from '../../src/contracts/authorization.js';
import type { BuildContext } from '../../src/contracts/build-context.js';
import type { Identity } from '../../src/contracts/request-context.js';
import { toCelClaims } from '../../src/cel/values.js';

export interface LocatedError extends Error {
  readonly at: ConfigPath;
  readonly detail: string;
}

/** `ctx.error` keeps the path and the raw message apart so tests can assert both. */
export function buildContext(): BuildContext & { readonly warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    readFile: () => {
      throw new Error('not used');
    },
    error(at, message) {
      return Object.assign(new Error(`${at.join('.')}: ${message}`), { at, detail: message });
    },
    locate: (at) => `config.yaml:${at.join('.')}`,
    warn: (at, message) => void warnings.push(`${at.join('.')}: ${message}`),
  };
}

export const AT: ConfigPath = ['binds', 0, 'listeners', 0, 'routes', 0, 'policies', 'mcpAuthorization'];

export function identity(claims: Record<string, unknown>): Identity {
  return {
    claims,
    celClaims: toCelClaims(claims),
    sub: typeof claims.sub === 'string' ? claims.sub : undefined,
    issuer: 'agentgateway.dev',
    rawToken: 'never-logged',
  };
}

export function subject(
  id: Identity | null,
  opts: {
    method?: string;
    headers?: Record<string, string>;
    address?: string;
    path?: string;
    httpMethod?: string;
  } = {},
): AuthzSubject {
  return {
    identity: id,
    request: {
      method: opts.httpMethod ?? 'POST',
      path: opts.path ?? '/mcp',
      host: 'gateway.test:3000',
      scheme: 'http',
      headers: opts.headers ?? { 'content-type': 'application/json' },
    },
    source: { address: opts.address ?? '127.0.0.1', port: 40000 },
    mcpMethod: opts.method ?? 'tools/list',
  };
}

export function item(kind: McpItemKind, name: string, target = 'mcp2'): McpItem {
  return { kind, name, target };
}
export const tool = (name: string, target?: string) => item('tool', name, target);

/** The claims of a seed token (test/fixtures/seed-jwt/<name>.key), decoded without verification. */
export function seedClaims(name: 'example1' | 'example2'): Record<string, unknown> {
  const jwt = readFileSync(new URL(`../fixtures/seed-jwt/${name}.key`, import.meta.url), 'utf8').trim();
  const payload = jwt.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** The seed's three rules (examples/authorization/config.yaml has them too). */
export const SEED_RULES = [
  'mcp.tool.name == "echo"',
  'jwt.sub == "test-user" && mcp.tool.name == "add"',
  'mcp.tool.name == "printEnv" && jwt.nested.key == "value"',
] as const;
