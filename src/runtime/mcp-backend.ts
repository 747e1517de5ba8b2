/**
 * An MCP backend compiled for the request path: targets, static tool filters and exposed names are
 * built here once per load, so no request reads the backend's config object or compiles a filter.
 */
import type { NormalizedMcpBackend } from '../config/types.js';
import { createNaming } from '../mcp/routing/naming.js';
import type { RuntimeMcpBackend } from '../mcp/backend.js';
import { compileToolFilter } from '../policies/authorization/tool-filter.js';

export type McpBackendParts = Pick<
  RuntimeMcpBackend,
  'key' | 'authorizer' | 'backendAuth' | 'backendTls' | 'dnsRebindingProtection' | 'retry'
> &
  Partial<Pick<RuntimeMcpBackend, 'targetPolicies'>>;

export function compileMcpBackend(config: NormalizedMcpBackend, parts: McpBackendParts): RuntimeMcpBackend {
  return {
    ...parts,
    targetPolicies: parts.targetPolicies ?? new Map(),
    config,
    targets: config.targets,
    toolFilters: new Map(
      config.targets.flatMap((t) => (t.tools ? [[t.name, compileToolFilter(t.tools)] as const] : [])),
    ),
    naming: createNaming(
      config.targets.map((t) => t.name),
      config.prefixMode,
    ),
    failureMode: config.failureMode,
    statefulMode: config.statefulMode,
    sessionIdleTtlMs: config.sessionIdleTtlMs,
    maxBodyBytes: config.maxBodyBytes,
  };
}
