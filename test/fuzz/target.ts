/**
 * The gateway every fuzz and soak case runs against: jwtAuth (optional mode) + mcpAuthorization CEL
 * rules in front of two real MCP servers (test/fixtures/seed-server.ts and flaky-server.ts, served
 * over Streamable HTTP). The `full` token (has `field1`) may use everything; every other caller only
 * `echo` and `add`. `denied` holds the exposed name of every item the other callers must never see.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createFlakyServer } from '../fixtures/flaky-server.js';
import { startSeedServer } from '../fixtures/seed-server.js';
import { serveHttp, type ServedFixture } from '../fixtures/serve.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { connect } from '../helpers/mcp-client.js';

const jwt = (n: string) => resolve('test/fixtures/seed-jwt', n);

export interface FuzzTarget {
  readonly gw: TestGateway;
  readonly tokens: { readonly full: string; readonly limited: string };
  /** Exposed names (tools, prompts, resources) the limited and anonymous callers must never see. */
  readonly denied: readonly string[];
  /** Exposed names the limited caller may use. */
  readonly allowed: readonly string[];
  /** A live session of the limited caller (`mcp-session-id`). */
  readonly session: string;
  stop(): Promise<void>;
}

export const PROTOCOL_VERSION = '2025-06-18';

export async function startFuzzTarget(
  opts: {
    name: string;
    headerTimeout?: string;
    bodyTimeout?: string;
    requestTimeout?: string;
    /** `config.limits.sessionsPerIdentity` (default 100): the soak opens 200 sessions as one identity. */
    sessionsPerIdentity?: number;
    /** Gateway log level (default warn). The test helper keeps every record in memory. */
    logLevel?: string;
  } = {
    name: 'fuzz',
  },
): Promise<FuzzTarget> {
  const seed = await startSeedServer();
  const flaky: ServedFixture = await serveHttp(createFlakyServer);
  const gw = await startGateway(
    `config:
  limits:
    requestHeaderTimeout: ${opts.headerTimeout ?? '1s'}
    requestBodyTimeout: ${opts.bodyTimeout ?? '1s'}
    sessionsPerIdentity: ${opts.sessionsPerIdentity ?? 100}
binds:
- port: 0
  listeners:
  - routes:
    - matches: [{path: {pathPrefix: /mcp}}]
      policies:
        jwtAuth:
          issuer: agentgateway.dev
          audiences: [test.agentgateway.dev]
          jwks: {file: ${jwt('pub-key')}}
        mcpAuthorization:
          rules:
          - 'has(jwt.field1)'
          - 'mcp.tool.name == "echo" || mcp.tool.name == "add"'
        timeout: {requestTimeout: ${opts.requestTimeout ?? '5s'}}
      backends:
      - mcp:
          targets:
          - name: seed
            mcp: {host: "${seed.url}"}
          - name: flaky
            mcp: {host: "${flaky.url}"}
    - matches: [{path: {pathPrefix: /}}]
      policies:
        directResponse: {status: 200, body: "ok"}
`,
    { name: opts.name, logLevel: opts.logLevel ?? 'warn' },
  );
  const tokens = {
    full: readFileSync(jwt('example1.key'), 'utf8').trim(),
    limited: readFileSync(jwt('example2.key'), 'utf8').trim(),
  };
  const names = async (token: string) => {
    const c = await connect(`${gw.url}/mcp`, { token });
    try {
      const out = new Set<string>();
      for (const t of (await c.listTools()).tools) out.add(t.name);
      for (const p of (await c.listPrompts().catch(() => ({ prompts: [] }))).prompts) out.add(p.name);
      for (const r of (await c.listResources().catch(() => ({ resources: [] }))).resources) {
        out.add(r.name);
        out.add(r.uri);
      }
      return out;
    } finally {
      await c.close();
    }
  };
  const all = await names(tokens.full);
  const limited = await names(tokens.limited);
  const denied = [...all].filter((n) => !limited.has(n));
  if (denied.length < 5)
    throw new Error(`fuzz target: expected denied items, got ${JSON.stringify([...all])}`);
  const init = await fetch(`${gw.url}/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${tokens.limited}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: 'fuzz', version: '1' },
      },
    }),
  });
  await init.arrayBuffer();
  const session = init.headers.get('mcp-session-id') ?? '';
  return {
    gw,
    tokens,
    denied,
    allowed: [...limited],
    session,
    async stop() {
      await gw.stop();
      await seed.close();
      await flaky.close();
    },
  };
}

/** The denied names `reply` contains that `request` did not (a caller may see its own input echoed). */
export function leakedNames(t: FuzzTarget, request: string, reply: string): string[] {
  return t.denied.filter((n) => reply.includes(n) && !request.includes(n));
}
