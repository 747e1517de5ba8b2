/** Hand-built normalized configs for the endpoint and summary tests (the shape src/config/types.ts defines). */
import type {
  NormalizedBackend,
  NormalizedBind,
  NormalizedConfig,
  NormalizedListener,
  NormalizedMatch,
  NormalizedMcpBackend,
  NormalizedRoute,
  NormalizedTarget,
} from '../../src/config/types.js';
import type { RoutePoliciesConfig } from '../../src/config/schema/index.js';

export function match(path: NormalizedMatch['path'], extra: Partial<NormalizedMatch> = {}): NormalizedMatch {
  return { path, method: undefined, headers: [], query: [], ...extra };
}

export function stdioTarget(name: string, extra: Partial<NormalizedTarget> = {}): NormalizedTarget {
  return {
    kind: 'stdio',
    name,
    cmd: 'npx',
    args: ['@modelcontextprotocol/server-everything'],
    env: {},
    tools: undefined,
    connectTimeoutMs: 10000,
    requestTimeoutMs: 60000,
    at: [],
    ...extra,
  } as NormalizedTarget;
}

export function mcpBackend(
  targets: NormalizedTarget[],
  extra: Partial<NormalizedMcpBackend> = {},
): NormalizedMcpBackend {
  return {
    kind: 'mcp',
    name: 'mcp',
    weight: 1,
    targets,
    statefulMode: 'stateful',
    prefixMode: 'conditional',
    failureMode: 'failClosed',
    dnsRebindingProtection: undefined,
    sessionIdleTtlMs: 1800000,
    maxBodyBytes: 2097152,
    at: [],
    ...extra,
  };
}

export function route(
  name: string,
  opts: {
    matches?: NormalizedMatch[];
    policies?: RoutePoliciesConfig;
    backends?: NormalizedBackend[];
    hostnames?: string[];
  } = {},
): NormalizedRoute {
  return {
    key: `listener0/bind/3000/${name}/default`,
    name,
    ruleName: 'default',
    hostnames: opts.hostnames ?? [],
    matches: opts.matches ?? [],
    policies: opts.policies ?? {},
    backends: opts.backends ?? [mcpBackend([stdioTarget('everything')])],
    at: [],
  };
}

export function listener(
  routes: NormalizedRoute[],
  extra: Partial<NormalizedListener> = {},
): NormalizedListener {
  return {
    key: 'listener0/bind/3000',
    name: 'listener0',
    gatewayName: 'bind/3000',
    hostname: '',
    protocol: 'HTTP',
    tls: undefined,
    routes,
    at: [],
    ...extra,
  };
}

export function bind(port: number, listeners: NormalizedListener[], address = '::'): NormalizedBind {
  return { key: `bind/${port}`, port, address, listeners, at: [] };
}

export function config(binds: NormalizedBind[]): NormalizedConfig {
  return {
    source: {
      file: '/etc/portcullis/config.yaml',
      name: 'config.yaml',
      baseDir: '/etc/portcullis',
      text: '',
    },
    static: {} as NormalizedConfig['static'],
    binds,
  };
}
