/**
 * The CEL environments. One base environment (cel-js standard library + agentgateway extensions + our
 * typed objects), cloned once per variable set. Built once when this module loads and never changed
 * afterwards (cel-js locks a parent environment when it is cloned), so sharing them is safe.
 */
import { Environment } from '@marcbachmann/cel-js';
import { CelMcp, CelMcpItem, CelRequest, CelResponse, CelSource } from './activation.js';
import { registerExtensions } from './extensions.js';
import { registerLibrary } from './library.js';

/** Which variables an expression may use: HTTP authorization / rate-limit keys, MCP authorization, log filters. */
export type CelVariableSet = 'http' | 'mcp' | 'log' | 'transform';

/** Declared variables per set, with their CEL types (also used in "unknown variable" messages and docs). */
export const CEL_VARIABLES: Readonly<Record<CelVariableSet, Readonly<Record<string, string>>>> = {
  http: {
    jwt: 'dyn',
    apiKey: 'dyn',
    basicAuth: 'dyn',
    request: 'portcullis.Request',
    source: 'portcullis.Source',
    destination: 'portcullis.Source',
    now: 'int',
  },
  mcp: {
    jwt: 'dyn',
    apiKey: 'dyn',
    basicAuth: 'dyn',
    request: 'portcullis.Request',
    source: 'portcullis.Source',
    destination: 'portcullis.Source',
    now: 'int',
    mcp: 'portcullis.Mcp',
  },
  /** `transformations`: the HTTP set plus the body being transformed and (response side) the status. */
  transform: {
    jwt: 'dyn',
    apiKey: 'dyn',
    basicAuth: 'dyn',
    request: 'portcullis.Request',
    source: 'portcullis.Source',
    now: 'int',
    response: 'portcullis.Response',
    /** The request (or response) body: parsed JSON when it is JSON, else a string; null without one. */
    body: 'dyn',
  },
  log: {
    jwt: 'dyn',
    apiKey: 'dyn',
    basicAuth: 'dyn',
    request: 'portcullis.Request',
    source: 'portcullis.Source',
    now: 'int',
    mcp: 'portcullis.Mcp',
    response: 'portcullis.Response',
    /** The access-log record by field name: `log["authz.decision"] == "deny"`, `log.route`, … */
    log: 'map<string, dyn>',
  },
};

/** Fields of the typed objects: reading any other field fails the type check at config load. */
export const CEL_OBJECT_FIELDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'portcullis.McpItem': { name: 'string', target: 'string' },
  'portcullis.Mcp': {
    tool: 'portcullis.McpItem',
    prompt: 'portcullis.McpItem',
    resource: 'portcullis.McpItem',
    method: 'string',
    methodName: 'string',
  },
  'portcullis.Request': {
    method: 'string',
    path: 'string',
    host: 'string',
    scheme: 'string',
    headers: 'map<string, string>',
    uri: 'string',
    pathAndQuery: 'string',
    version: 'string',
    startTime: 'string',
  },
  'portcullis.Source': { address: 'string', port: 'int' },
  'portcullis.Response': { code: 'int' },
};

const CONSTRUCTORS: Readonly<Record<string, new (...args: never[]) => unknown>> = {
  'portcullis.McpItem': CelMcpItem,
  'portcullis.Mcp': CelMcp,
  'portcullis.Request': CelRequest,
  'portcullis.Source': CelSource,
  'portcullis.Response': CelResponse,
};

/**
 * A fresh, still extensible environment with the standard library, the extensions and our object types
 * but no variables. Used to build the variable sets, and by the conformance test (which declares its
 * own variables).
 */
export function createBaseEnvironment(): Environment {
  const env = new Environment({
    // cel-go behaviour: `[1, "a"]` is a list(dyn), not a type error.
    homogeneousAggregateLiterals: false,
    // `jwt.?groups.orValue([])`
    enableOptionalTypes: true,
  });
  registerExtensions(env);
  registerLibrary(env);
  // McpItem first: Mcp's fields refer to it.
  for (const name of Object.keys(CEL_OBJECT_FIELDS)) {
    env.registerType(name, { ctor: CONSTRUCTORS[name], fields: { ...CEL_OBJECT_FIELDS[name] } });
  }
  return env;
}

function buildEnvironments(): Readonly<Record<CelVariableSet, Environment>> {
  const base = createBaseEnvironment();
  const out = {} as Record<CelVariableSet, Environment>;
  for (const set of Object.keys(CEL_VARIABLES) as CelVariableSet[]) {
    const env = base.clone();
    for (const [name, type] of Object.entries(CEL_VARIABLES[set])) env.registerVariable(name, type);
    out[set] = env;
  }
  return Object.freeze(out);
}

const ENVIRONMENTS = buildEnvironments();

/** Every function and macro name the environments know (to tell "unknown function" from "wrong arguments"). */
export const CEL_FUNCTION_NAMES: ReadonlySet<string> = new Set(
  ENVIRONMENTS.mcp.getDefinitions().functions.map((f) => f.name),
);

export function celEnvironment(set: CelVariableSet): Environment {
  return ENVIRONMENTS[set];
}
