import type { JsonObject } from '../protocol/messages.js';
import { isObject } from '../protocol/messages.js';
import type { Naming } from './naming.js';
import { LATEST_LEGACY_VERSION, lowestVersion } from '../protocol/revisions.js';

export const PREAMBLE =
  'This server is a gateway to a set of MCP servers. Tools and prompts are named <target>_<name>, ' +
  'resources <target>+<uri>.';

export interface TargetInit {
  readonly target: string;
  readonly result: JsonObject;
}

/**
 * The gateway's InitializeResult. Single target without prefixing: the upstream's result as-is (names
 * pass through untouched). Multiplexing: merged capabilities, the lowest protocol version any upstream
 * negotiated, the gateway's serverInfo and per-target instructions.
 */
export function mergeInitialize(inits: readonly TargetInit[], naming: Naming, version: string): JsonObject {
  const only = inits[0];
  if (!naming.prefixing && inits.length === 1 && only) return only.result;
  const versions = inits
    .map((i) => i.result.protocolVersion)
    .filter((v): v is string => typeof v === 'string');
  const parts = inits
    .filter((i) => typeof i.result.instructions === 'string' && i.result.instructions !== '')
    .map((i) => `[${i.target}]\n${String(i.result.instructions)}`);
  return {
    protocolVersion: lowestVersion(versions) ?? LATEST_LEGACY_VERSION,
    capabilities: mergeCapabilities(inits.map((i) => i.result.capabilities)),
    serverInfo: { name: 'portcullis', version },
    instructions: [PREAMBLE, ...parts].join('\n\n'),
  };
}

/** Union of what the upstreams offer, limited to what the gateway can route. */
export function mergeCapabilities(all: readonly unknown[]): JsonObject {
  const caps = all.filter(isObject);
  const some = (key: string): JsonObject[] => caps.map((c) => c[key]).filter(isObject);
  const flag = (objs: JsonObject[], key: string): boolean => objs.some((o) => o[key] === true);
  const out: JsonObject = {};
  const tools = some('tools');
  if (tools.length) out.tools = { listChanged: flag(tools, 'listChanged') };
  const prompts = some('prompts');
  if (prompts.length) out.prompts = { listChanged: flag(prompts, 'listChanged') };
  const resources = some('resources');
  if (resources.length) {
    out.resources = { subscribe: flag(resources, 'subscribe'), listChanged: flag(resources, 'listChanged') };
  }
  if (some('logging').length) out.logging = {};
  if (some('completions').length) out.completions = {};
  return out;
}
