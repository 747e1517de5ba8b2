/**
 * Keeps Prometheus label values bounded. A client chooses JSON-RPC method names, tool names and
 * resource URIs, so none of them may become a label value unchecked: one scripted client could
 * otherwise create millions of time series.
 */

/** Label value for a missing field. */
export const UNKNOWN = 'unknown';
/** Label value past a cap. */
export const OTHER = 'other';

const MCP_METHODS: ReadonlySet<string> = new Set([
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'prompts/list',
  'prompts/get',
  'resources/list',
  'resources/read',
  'resources/templates/list',
  'resources/subscribe',
  'resources/unsubscribe',
  'completion/complete',
  'logging/setLevel',
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/roots/list_changed',
  'roots/list',
  'sampling/createMessage',
  'elicitation/create',
]);

const HTTP_METHODS: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'OPTIONS',
  'CONNECT',
  'TRACE',
]);

/** A JSON-RPC method as a label: the MCP methods by name, anything else `other`. */
export function mcpMethodLabel(method: string | undefined): string {
  if (!method) return UNKNOWN;
  return MCP_METHODS.has(method) ? method : OTHER;
}

export function httpMethodLabel(method: string | undefined): string {
  if (!method) return UNKNOWN;
  return HTTP_METHODS.has(method) ? method : OTHER;
}

/**
 * A set of admitted values with a cap: a value already admitted keeps its own label, a new value is
 * admitted while there is room, everything else is `other`.
 */
export class CappedLabel {
  readonly #seen = new Set<string>();
  constructor(readonly cap: number) {}

  label(value: string | undefined): string {
    if (value === undefined || value === '') return UNKNOWN;
    if (this.#seen.has(value)) return value;
    if (this.#seen.size >= this.cap) return OTHER;
    this.#seen.add(value);
    return value;
  }
}

export interface ResourceLabelOptions {
  /** Names admitted per target from tools/prompts/resources lists (a server listing 10 000 tools stays bounded). */
  readonly listedCap: number;
  /** Names admitted per target that were never seen in a list (typos, probing clients). */
  readonly unlistedCap: number;
}

/**
 * The `resource` label of `portcullis_mcp_requests_total`. Names an upstream listed (tools/list,
 * prompts/list, resources/list) are its real vocabulary and get their own label; names never listed
 * share a small per-target budget, then become `other`, so a client probing random tool names cannot
 * push real names out.
 */
export class ResourceLabels {
  readonly #listed = new Map<string, Set<string>>();
  readonly #unlisted = new Map<string, CappedLabel>();
  constructor(readonly opts: ResourceLabelOptions) {}

  /** Remember names seen in a list result for `target`. */
  listed(target: string, names: Iterable<string>): void {
    let set = this.#listed.get(target);
    if (!set) {
      set = new Set();
      this.#listed.set(target, set);
    }
    for (const name of names) {
      if (set.size >= this.opts.listedCap) break;
      set.add(name);
    }
  }

  label(target: string, name: string | undefined): string {
    if (name === undefined || name === '') return UNKNOWN;
    if (this.#listed.get(target)?.has(name)) return name;
    let capped = this.#unlisted.get(target);
    if (!capped) {
      capped = new CappedLabel(this.opts.unlistedCap);
      this.#unlisted.set(target, capped);
    }
    return capped.label(name);
  }
}
