/* global module */
/**
 * The layering rule, written once: a folder may import only folders listed BEFORE it (lower layers).
 * `npm run lint:deps` checks it with type-only imports included; docs/architecture.md explains each layer.
 */
const LAYERS = [
  'errors', // the error registry: imports nothing of ours
  'config', // config DTO, loading, normalization: nothing of the runtime
  'contracts', // types every layer shares: request context, authorization contract, build context, TLS options
  'net', // small network definitions: loopback, Host header, display URLs, the bounded body reader
  'cel', // the CEL environment
  'telemetry', // logger, access log, metrics, tracing
  'grpc', // Envoy gRPC clients (ext_authz, rate-limit service)
  'redis', // optional state shared by replicas (rate-limit buckets, ended sessions)
  'mcp/protocol', // JSON-RPC messages, protocol revisions, SSE framing, HTTP I/O helpers
  'mcp/upstream', // upstream transports behind one Upstream interface: nothing of policies or the server
  'policies', // one folder per policy: never the MCP machinery or the HTTP server
  'mcp', // the MCP service: connections, authorization adapter, routing, sessions, client transports
  'runtime', // the snapshot and its builder, the route matcher
  'tcp', // TCP / TLS binds for tcpRoutes
  'server', // listeners, the request entry, the fixed-order pipeline, the HTTP proxy
  'admin', // admin, stats and readiness servers
  'app', // composition root: the Gateway, reload, explain, health
  'policy-test', // `portcullis test`: policy cases against a compiled config
  'cli', // the command line
];

const esc = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** Files of a layer: `mcp` means src/mcp/ except its protocol/ and upstream/ layers. */
const filesOf = (layer) => (layer === 'mcp' ? '^src/mcp/(?!protocol/|upstream/)' : `^src/${esc(layer)}/`);

const forbidden = [
  {
    name: 'no-circular',
    severity: 'error',
    comment: 'No import cycles between modules (a lazy `import()` of an optional part does not count).',
    from: { path: '^src/' },
    to: { circular: true, viaOnly: { dependencyTypesNot: ['dynamic-import'] } },
  },
];
LAYERS.forEach((layer, i) => {
  const higher = LAYERS.slice(i + 1);
  if (higher.length === 0) return;
  forbidden.push({
    name: `layer-${layer.replace('/', '-')}`,
    severity: 'error',
    comment: `${layer} may import only lower layers (${LAYERS.slice(0, i).join(', ') || 'none'}).`,
    from: { path: filesOf(layer) },
    to: { path: higher.map(filesOf) },
  });
});
forbidden.push({
  name: 'layer-unlisted',
  severity: 'error',
  comment: 'Every folder under src/ is a listed layer (add it to LAYERS in .dependency-cruiser.cjs).',
  from: { path: '^src/', pathNot: LAYERS.map(filesOf) },
  to: {},
});

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|dist|ui)/' },
  },
};
