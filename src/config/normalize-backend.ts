/**
 * MCP backends and their targets: defaults, unique target names, target URLs and
 * OpenAPI schemas read at load.
 */
import type { ConfigBuildContext } from './build-context.js';
import { durationMs } from './duration.js';
import { isConfigError } from './errors.js';
import type { ConfigIssue } from './errors.js';
import { targetUrl } from './mcp-host.js';
import { openApiBaseUrl, readOpenApiDoc, type OpenApiDoc } from './openapi-doc.js';
import type { McpBackendConfig, McpTargetConfig, TargetPoliciesConfig } from './schema/index.js';
import type { ConfigPath, NormalizedMcpBackend, NormalizedStatic, NormalizedTarget } from './types.js';

export const TARGET_REQUEST_TIMEOUT_MS = 60_000;

export interface BackendScope {
  readonly ctx: ConfigBuildContext;
  readonly report: (at: ConfigPath, message: string) => void;
  readonly collect: (issues: readonly ConfigIssue[]) => void;
  readonly statics: NormalizedStatic;
}

/**
 * @param raw   the object holding `targets` (a route backend's `mcp:` or the top-level `mcp:`)
 * @param at    path of the backend node; `mcpAt` path of `raw`
 */
export function normalizeMcpBackend(
  raw: McpBackendConfig,
  name: string,
  weight: number,
  at: ConfigPath,
  mcpAt: ConfigPath,
  scope: BackendScope,
): NormalizedMcpBackend {
  const seen = new Map<string, number>();
  const targets: NormalizedTarget[] = [];
  raw.targets.forEach((t, i) => {
    const tat = [...mcpAt, 'targets', i];
    const first = seen.get(t.name);
    if (first !== undefined) {
      scope.report([...tat, 'name'], `duplicate target name "${t.name}" (also targets[${first}])`);
    } else seen.set(t.name, i);
    const nt = normalizeTarget(t, tat, scope);
    if (nt) targets.push(nt);
  });
  return {
    kind: 'mcp',
    name,
    weight,
    targets,
    statefulMode: raw.statefulMode ?? 'stateful',
    prefixMode: raw.prefixMode ?? 'conditional',
    failureMode: raw.failureMode ?? 'failClosed',
    dnsRebindingProtection: raw.dnsRebindingProtection,
    sessionIdleTtlMs: durationMs(raw.sessionIdleTtl, scope.statics.sessionTtlMs),
    maxBodyBytes: raw.maxBodyBytes ?? scope.statics.maxBufferSize,
    at,
  };
}

function normalizeTarget(
  t: McpTargetConfig,
  at: ConfigPath,
  scope: BackendScope,
): NormalizedTarget | undefined {
  const common = {
    name: t.name,
    // `include` absent = every tool; an empty list would hide them all, so absence is kept as undefined.
    tools: t.tools ? { include: t.tools.include, exclude: t.tools.exclude ?? [] } : undefined,
    connectTimeoutMs: durationMs(t.connectTimeout, scope.statics.backend.connectTimeoutMs),
    requestTimeoutMs: durationMs(t.requestTimeout, TARGET_REQUEST_TIMEOUT_MS),
    at,
  };
  if ('stdio' in t) {
    return {
      ...common,
      kind: 'stdio',
      cmd: t.stdio.cmd,
      args: t.stdio.args ?? [],
      env: t.stdio.env ?? {},
      clearEnv: t.stdio.clear_env ?? false,
    };
  }
  if ('mcp' in t || 'sse' in t) {
    const kind = 'mcp' in t ? 'mcp' : 'sse';
    const spec = 'mcp' in t ? t.mcp : t.sse;
    const r = targetUrl(kind, spec);
    if ('error' in r) {
      scope.report([...at, kind, r.field], r.error);
      return undefined;
    }
    return { ...common, ...targetPoliciesOf(t.policies, at), kind, url: r.url.href };
  }
  const r = targetUrl('openapi', t.openapi);
  if ('error' in r) {
    scope.report([...at, 'openapi', r.field], r.error);
    return undefined;
  }
  const schemaAt = [...at, 'openapi', 'schema'];
  if (typeof t.openapi.schema === 'object' && 'url' in t.openapi.schema) {
    // Fetched when the target is first used or probed (src/mcp/upstream/openapi-remote.ts).
    const baseUrl = openApiBaseUrl(r.url, undefined);
    return {
      ...common,
      ...targetPoliciesOf(t.policies, at),
      kind: 'openapi',
      baseUrl,
      schema: undefined,
      schemaFile: undefined,
      schemaUrl: t.openapi.schema.url,
    };
  }
  let text: string;
  let schemaFile: string | undefined;
  try {
    if (typeof t.openapi.schema === 'string') text = t.openapi.schema;
    else if ('file' in t.openapi.schema) {
      schemaFile = scope.ctx.resolvePath(t.openapi.schema.file, [...schemaAt, 'file']);
      text = scope.ctx.readFile(schemaFile, [...schemaAt, 'file']);
    } else text = t.openapi.schema.inline;
  } catch (e) {
    if (isConfigError(e)) scope.collect(e.issues);
    else throw e;
    return undefined;
  }
  const schema = parseOpenApi(text, schemaAt, scope);
  if (schema === undefined) return undefined;
  // The schema's `servers[0].url` path wins (agentgateway); else a path given on the target.
  const baseUrl = openApiBaseUrl(r.url, schema.serverPath);
  return {
    ...common,
    ...targetPoliciesOf(t.policies, at),
    kind: 'openapi',
    baseUrl,
    schema: schema.doc,
    schemaFile,
    schemaUrl: undefined,
  };
}

function targetPoliciesOf(p: TargetPoliciesConfig | undefined, at: ConfigPath) {
  if (!p || (!p.backendAuth && !p.backendTLS)) return {};
  return { policies: { ...p, at: [...at, 'policies'] } };
}

function parseOpenApi(text: string, at: ConfigPath, scope: BackendScope): OpenApiDoc | undefined {
  const r = readOpenApiDoc(text);
  if ('error' in r) {
    scope.report(at, r.error);
    return undefined;
  }
  return r;
}
