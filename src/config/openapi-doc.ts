/**
 * The checks an OpenAPI document passes before its tools are built, shared by the config load
 * (inline and `{file}` schemas) and the run-time fetch of a `{url}` schema (src/mcp/upstream/openapi-remote.ts).
 */
import { parse as parseYaml } from 'yaml';

export interface OpenApiDoc {
  readonly doc: Record<string, unknown>;
  /** The path of `servers[0].url`, which replaces the target's own path (agentgateway). */
  readonly serverPath: string | undefined;
}

/** JSON or YAML text → the document, or why it is not one. */
export function readOpenApiDoc(text: string): OpenApiDoc | { readonly error: string } {
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: false });
  } catch (e) {
    return { error: `cannot parse the OpenAPI schema: ${(e as Error).message}` };
  }
  if (
    typeof doc !== 'object' ||
    doc === null ||
    Array.isArray(doc) ||
    typeof (doc as { paths?: unknown }).paths !== 'object'
  ) {
    return { error: 'not an OpenAPI document (expected a mapping with `paths`)' };
  }
  const servers = (doc as { servers?: unknown }).servers;
  if (servers !== undefined && (!Array.isArray(servers) || servers.length > 1)) {
    return {
      error: `an OpenAPI schema may list at most one server (found ${Array.isArray(servers) ? servers.length : 'a non-list'})`,
    };
  }
  const url = (servers?.[0] as { url?: unknown } | undefined)?.url;
  let serverPath: string | undefined;
  if (typeof url === 'string') serverPath = /^[a-z]+:\/\//i.test(url) ? new URL(url).pathname : url;
  return { doc: doc as Record<string, unknown>, serverPath };
}

/** The API's base URL: the schema's server path wins over the target's own path. */
export function openApiBaseUrl(targetUrl: URL, serverPath: string | undefined): string {
  const prefix = serverPath ?? (targetUrl.pathname === '/' ? '' : targetUrl.pathname);
  return `${targetUrl.origin}${prefix}`.replace(/\/+$/, '');
}
