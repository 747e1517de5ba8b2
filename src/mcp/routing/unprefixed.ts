/**
 * `prefixMode: never` with several targets (agentgateway's behaviour): tools and prompts keep their
 * upstream names, so a name carries no target and the owner is found by listing every target when it
 * is called (paging through at most MAX_LIST_PAGES pages each). A name more than one target serves (of
 * those the caller may see) is ambiguous: it is left out of the merged list and a call to it is answered
 * like an unknown name
 * (agentgateway answers "served by multiple targets"; here the caller learns nothing the list did not
 * show). Resources and templates stay `<target>+<uri>` (naming.ts), as in agentgateway.
 * failClosed: a target that fails while resolving fails the call; failOpen: it is skipped and logged.
 */
import type { Logger } from 'pino';
import { GatewayError, isGatewayError } from '../../errors/registry.js';
import type { JsonObject, RpcOutcome } from '../protocol/messages.js';
import { isObject } from '../protocol/messages.js';
import type { McpCall, Slot } from './call.js';
import { callOptions } from './call.js';
import { failClosedError } from './failure-mode.js';
import type { ListSpec } from './list-merge.js';
import { CallCancelled, targetFailed } from '../connection/target-connection.js';

/** Bounds paging against an upstream that returns cursors forever. */
const MAX_LIST_PAGES = 64;
const METHOD_NOT_FOUND = -32601;

type NamedKind = 'tool' | 'prompt';
const LIST_OF: Readonly<Record<NamedKind, { method: string; field: string; capability: string }>> = {
  tool: { method: 'tools/list', field: 'tools', capability: 'tools' },
  prompt: { method: 'prompts/list', field: 'prompts', capability: 'prompts' },
};

/** Drops the tools/prompts whose name occurs more than once in a merged list page. */
export function dropAmbiguous(spec: ListSpec, outcome: RpcOutcome, logger: Logger): RpcOutcome {
  if (spec.key !== 'name' || !('result' in outcome)) return outcome;
  const items = outcome.result[spec.field];
  if (!Array.isArray(items)) return outcome;
  const seen = new Map<string, number>();
  for (const item of items) {
    const n = isObject(item) ? item.name : undefined;
    if (typeof n === 'string') seen.set(n, (seen.get(n) ?? 0) + 1);
  }
  const ambiguous = [...seen].filter(([, count]) => count > 1).map(([n]) => n);
  if (ambiguous.length === 0) return outcome;
  logger.debug(
    { method: spec.method, count: ambiguous.length },
    'prefixMode never: dropping names served by several targets',
  );
  const drop = new Set(ambiguous);
  const kept = items.filter((i) => !(isObject(i) && typeof i.name === 'string' && drop.has(i.name)));
  return { result: { ...outcome.result, [spec.field]: kept } };
}

/** The one target that lists `name` and lets the caller see it; undefined when none or several do. */
export async function ownerOf(
  kind: NamedKind,
  name: string,
  slots: readonly Slot[],
  call: McpCall,
  logger: Logger,
): Promise<string | undefined> {
  const list = LIST_OF[kind];
  const results = await Promise.all(
    slots.map(
      async (
        slot,
      ): Promise<{ target: string; serves: boolean } | { target: string; failure: GatewayError }> => {
        const target = slot.target.name;
        try {
          return { target, serves: await serves(slot, list, name, call) };
        } catch (e) {
          if (e instanceof CallCancelled) throw e;
          return { target, failure: isGatewayError(e) ? e : targetFailed(target, (e as Error).message) };
        }
      },
    ),
  );
  const failures = results.filter((r) => 'failure' in r);
  const first = failures[0];
  if (first && 'failure' in first) {
    if (call.backend.failureMode === 'failClosed')
      throw failClosedError(first.failure, failures.length, results.length);
    for (const f of failures)
      if ('failure' in f)
        logger.warn(
          { target: f.target, method: list.method, err: f.failure.message },
          'failOpen: skipping failed target',
        );
  }
  // Only the targets whose item the caller may see count, as in the (gate-filtered) merged list.
  const owners = results
    .filter((r) => 'serves' in r && r.serves && call.gate.allows(kind, name, r.target))
    .map((r) => r.target);
  return owners.length === 1 ? owners[0] : undefined;
}

async function serves(
  slot: Slot,
  list: { method: string; field: string; capability: string },
  name: string,
  call: McpCall,
): Promise<boolean> {
  const conn = slot.conn;
  if (!conn || conn.closed)
    throw targetFailed(slot.target.name, slot.failure ?? conn?.failure ?? 'not connected');
  const caps = conn.initResult?.capabilities;
  if (!isObject(caps) || caps[list.capability] === undefined) return false;
  let cursor: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const params: JsonObject = cursor === undefined ? {} : { cursor };
    const outcome = await conn.call(list.method, params, callOptions(call));
    if (!('result' in outcome)) {
      if (outcome.error.code === METHOD_NOT_FOUND) return false;
      throw targetFailed(slot.target.name, outcome.error.message);
    }
    const items = outcome.result[list.field];
    if (Array.isArray(items) && items.some((i) => isObject(i) && i.name === name)) return true;
    const next = outcome.result.nextCursor;
    if (typeof next !== 'string' || next === '') return false;
    cursor = next;
  }
  throw targetFailed(slot.target.name, `more than ${MAX_LIST_PAGES} pages of ${list.method}`);
}
