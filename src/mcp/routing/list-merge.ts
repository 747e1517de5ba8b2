import type { Logger } from 'pino';
import { GatewayError, isGatewayError } from '../../errors/registry.js';
import { failClosedError } from './failure-mode.js';
import type { McpItemKind } from '../../contracts/authorization.js';
import type { McpCall, Slot } from './call.js';
import { callOptions } from './call.js';
import type { CursorEntry } from './cursor.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { JsonObject, RpcOutcome } from '../protocol/messages.js';
import { isObject } from '../protocol/messages.js';
import type { Naming } from './naming.js';
import { CallCancelled, targetFailed } from '../connection/target-connection.js';

export interface ListSpec {
  readonly method: string;
  /** The array in the result (`tools`, `prompts`, `resources`, `resourceTemplates`). */
  readonly field: string;
  /** The server capability a target must announce to be asked. */
  readonly capability: 'tools' | 'prompts' | 'resources';
  readonly kind: McpItemKind;
  /** The item's identifying field, renamed when multiplexing. */
  readonly key: 'name' | 'uri' | 'uriTemplate';
}

export const LISTS: Readonly<Record<string, ListSpec>> = {
  'tools/list': { method: 'tools/list', field: 'tools', capability: 'tools', kind: 'tool', key: 'name' },
  'prompts/list': {
    method: 'prompts/list',
    field: 'prompts',
    capability: 'prompts',
    kind: 'prompt',
    key: 'name',
  },
  'resources/list': {
    method: 'resources/list',
    field: 'resources',
    capability: 'resources',
    kind: 'resource',
    key: 'uri',
  },
  'resources/templates/list': {
    method: 'resources/templates/list',
    field: 'resourceTemplates',
    capability: 'resources',
    kind: 'resource',
    key: 'uriTemplate',
  },
};

const METHOD_NOT_FOUND = -32601;

type PageResult =
  | { readonly target: string; readonly page: JsonObject }
  | { readonly target: string; readonly failure: GatewayError };

/**
 * A list method fanned out to every target that announces the capability (or, with a cursor, to the
 * targets that still have pages), filtered item by item through the gate, renamed, and merged in target
 * order. failClosed: any failing target fails the list; failOpen: failing targets are skipped and logged.
 */
export async function mergeList(
  spec: ListSpec,
  params: JsonObject,
  slots: readonly Slot[],
  call: McpCall,
  naming: Naming,
  logger: Logger,
): Promise<RpcOutcome> {
  const { cursor, ...rest } = params;
  const entries: (readonly [string, string | undefined])[] =
    typeof cursor === 'string'
      ? decodeCursor(cursor)
      : slots.filter((s) => announces(s, spec.capability)).map((s) => [s.target.name, undefined] as const);
  const byName = new Map(slots.map((s) => [s.target.name, s]));
  for (const [name] of entries) {
    if (!byName.has(name)) throw new GatewayError('INVALID_PARAMS', 'Invalid params: invalid cursor');
  }
  const pages = await Promise.all(
    entries.map(([name, c]) =>
      fetchPage(spec, byName.get(name) as Slot, c === undefined ? rest : { ...rest, cursor: c }, call),
    ),
  );
  const failures = pages.filter((p): p is Extract<PageResult, { failure: GatewayError }> => 'failure' in p);
  if (failures.length > 0) {
    const first = failures[0] as (typeof failures)[number];
    if (call.backend.failureMode === 'failClosed' || failures.length === pages.length)
      throw failClosedError(first.failure, failures.length, pages.length);
    for (const f of failures) {
      logger.warn(
        { target: f.target, method: spec.method, err: f.failure.message },
        'failOpen: skipping failed target',
      );
    }
  }
  const items: unknown[] = [];
  const next: CursorEntry[] = [];
  for (const p of pages) {
    if (!('page' in p)) continue;
    const list = p.page[spec.field];
    if (Array.isArray(list)) {
      reportListed(call, spec, p.target, list);
      for (const item of list) {
        if (!isObject(item)) continue;
        const id = item[spec.key];
        if (typeof id !== 'string' || !call.gate.allows(spec.kind, id, p.target)) continue;
        // Without prefixing the item goes out as the upstream sent it: no copy.
        if (!naming.prefixing) {
          items.push(item);
          continue;
        }
        items.push({
          ...item,
          [spec.key]: spec.kind === 'resource' ? naming.uri(p.target, id) : naming.name(p.target, id),
        });
      }
    }
    if (typeof p.page.nextCursor === 'string' && p.page.nextCursor !== '')
      next.push([p.target, p.page.nextCursor]);
  }
  const nextCursor = encodeCursor(next);
  return { result: nextCursor === undefined ? { [spec.field]: items } : { [spec.field]: items, nextCursor } };
}

/** Names as the upstream listed them (before filtering), so metrics can bound their `resource` label. */
function reportListed(call: McpCall, spec: ListSpec, target: string, list: unknown[]): void {
  const hook = call.telemetry?.resourcesListed;
  if (!hook) return;
  const names = list.flatMap((i) =>
    isObject(i) && typeof i[spec.key] === 'string' ? [i[spec.key] as string] : [],
  );
  hook.call(call.telemetry, target, spec.key === 'uriTemplate' ? 'template' : spec.kind, names);
}

function announces(slot: Slot, capability: string): boolean {
  if (!slot.conn) return true; // a failed slot is reported (failClosed) or skipped (failOpen) in fetchPage
  const caps = slot.conn.initResult?.capabilities;
  return isObject(caps) && caps[capability] !== undefined;
}

async function fetchPage(spec: ListSpec, slot: Slot, params: JsonObject, call: McpCall): Promise<PageResult> {
  const target = slot.target.name;
  const conn = slot.conn;
  if (!conn || conn.closed) {
    return { target, failure: targetFailed(target, slot.failure ?? conn?.failure ?? 'not connected') };
  }
  try {
    const outcome = await conn.call(spec.method, params, callOptions(call));
    if ('result' in outcome) return { target, page: outcome.result };
    // A target that does not implement the method simply has nothing to list.
    if (outcome.error.code === METHOD_NOT_FOUND) return { target, page: {} };
    return { target, failure: targetFailed(target, outcome.error.message) };
  } catch (e) {
    if (e instanceof CallCancelled) throw e;
    return { target, failure: isGatewayError(e) ? e : targetFailed(target, (e as Error).message) };
  }
}
