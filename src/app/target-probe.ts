/**
 * One health probe of one MCP target, through the same connection code the gateway proxies with
 * (`TargetConn` over an `Upstream` from the factory):
 * - MCP (Streamable HTTP), SSE and stdio targets: connect (POST / GET stream / spawn) and `initialize`
 *   (with the `server/discover` fallback), then close (a Streamable HTTP session is ended with DELETE).
 *   A 401/403 counts as up: the target answered, and probes carry no client credentials.
 * - OpenAPI targets: a TCP connect to the API's origin (a REST API has no handshake to try); with a
 *   `schema: {url}`, the schema is fetched first (the factory keeps it for the sessions).
 * The result is a typed `UpstreamError`, never a parsed message.
 */
import { connect } from 'node:net';
import type { Logger } from 'pino';
import type { NormalizedTarget } from '../config/types.js';
import { isGatewayError } from '../errors/registry.js';
import { isUpstreamError, UpstreamError } from '../errors/upstream.js';
import { LATEST_LEGACY_VERSION } from '../mcp/protocol/revisions.js';
import { TargetConn, type ConnEvents } from '../mcp/connection/target-connection.js';
import type { UpstreamFactory } from '../mcp/backend.js';
import { networkError } from '../mcp/upstream/net-errors.js';
import type { UpstreamTls } from '../mcp/upstream/upstream.js';
import { NOOP_TELEMETRY } from '../telemetry/hooks.js';

export type ProbeResult = { readonly ok: true } | { readonly ok: false; readonly error: UpstreamError };

/** The longest a probe's `initialize` may take, whatever the target's own request timeout. */
const MAX_PROBE_MS = 10_000;

const IGNORE: ConnEvents = { notification() {}, request() {} };

export async function probeTarget(
  target: NormalizedTarget,
  factory: UpstreamFactory,
  tls: UpstreamTls | undefined,
  logger: Logger,
  version: string,
): Promise<ProbeResult> {
  if (target.kind === 'openapi') {
    if (target.schemaUrl !== undefined) {
      const upstream = factory.create(target, { logger, tls });
      try {
        await upstream.start();
      } catch (e) {
        return fail(
          isUpstreamError(e)
            ? e
            : new UpstreamError('UPSTREAM_PROTOCOL', target.name, 'OpenAPI schema unusable'),
        );
      } finally {
        await upstream.close();
      }
    }
    return probeTcp(target, target.baseUrl);
  }
  const conn = new TargetConn(
    target,
    factory.create(target, { logger, tls }),
    IGNORE,
    logger,
    NOOP_TELEMETRY,
  );
  const clientInfo = { name: 'portcullis-probe', version };
  try {
    await conn.start();
    const o = await conn.initialize(
      { protocolVersion: LATEST_LEGACY_VERSION, capabilities: {}, clientInfo },
      clientInfo,
      { timeoutMs: Math.min(target.requestTimeoutMs || MAX_PROBE_MS, MAX_PROBE_MS) },
    );
    if ('result' in o) return { ok: true };
    return fail(new UpstreamError('UPSTREAM_PROTOCOL', target.name, `initialize refused (${o.error.code})`));
  } catch (e) {
    if (isUpstreamError(e)) {
      if (e.code === 'UPSTREAM_HTTP_STATUS' && (e.httpStatus === 401 || e.httpStatus === 403))
        return { ok: true };
      return fail(e);
    }
    if (isGatewayError(e) && e.code === 'REQUEST_TIMEOUT')
      return fail(new UpstreamError('UPSTREAM_TIMEOUT', target.name, 'no answer to initialize in time'));
    return fail(new UpstreamError('UPSTREAM_PROTOCOL', target.name, 'probe failed', { cause: e }));
  } finally {
    await conn.close('probe done');
  }
}

function fail(error: UpstreamError): ProbeResult {
  return { ok: false, error };
}

function probeTcp(target: NormalizedTarget, url: string): Promise<ProbeResult> {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  const ms = target.connectTimeoutMs || MAX_PROBE_MS;
  const t = { connectTimeoutMs: ms, requestTimeoutMs: ms };
  return new Promise((resolve) => {
    const socket = connect({ host: u.hostname.replace(/^\[|\]$/g, ''), port });
    const done = (r: ProbeResult): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(
      () => done(fail(networkError(target.name, { code: 'UND_ERR_CONNECT_TIMEOUT' }, t))),
      ms,
    );
    socket.once('connect', () => done({ ok: true }));
    socket.once('error', (err) => done(fail(networkError(target.name, err, t))));
  });
}
