/**
 * MCP/HTTP failures in plain words. The SDK's errors carry little ("Streamable HTTP error: Error POSTing
 * to endpoint: …"), so this combines the error with the last failed HTTP exchange the Playground saw.
 */
import type { EndpointInfo, PreflightReport } from '../../../src/admin/api.js';
import type { HttpFailure } from '../mcp/client.js';

export interface PlainError {
  /** One line: "token rejected: token expired". */
  readonly message: string;
  /** Optional longer advice, e.g. the cors block to add. */
  readonly fix?: string;
  /** True when a network/CORS failure needs a preflight probe for exact advice. */
  readonly network: boolean;
}

export interface ErrorContext {
  readonly failure: HttpFailure | undefined;
  /** The item being called, for "Unknown tool" errors. */
  readonly item?: { readonly kind: 'tool' | 'prompt' | 'resource'; readonly name: string };
  readonly hadToken: boolean;
  readonly connected: boolean;
}

export function describeError(err: unknown, ctx: ErrorContext): PlainError {
  const f = ctx.failure;
  const raw = err instanceof Error ? err.message : String(err);
  const rpc = rpcError(err) ?? rpcErrorFromBody(f?.body);
  if (
    rpc &&
    rpc.code === -32602 &&
    /unknown (tool|prompt|resource)|not found/i.test(rpc.message) &&
    ctx.item
  ) {
    return {
      message: `${ctx.item.kind} "${ctx.item.name}": not found or not allowed for this identity (${rpc.message})`,
      network: false,
    };
  }
  if (f?.network || (!f && isNetworkError(raw))) {
    return { message: `the browser could not reach ${f?.url ?? 'the endpoint'} (${raw})`, network: true };
  }
  const status = f?.status ?? httpStatusOf(err);
  const reason = reasonOf(f) || rpc?.message || stripSdkPrefix(raw);
  switch (status) {
    case 401:
      return ctx.hadToken
        ? { message: `token rejected: ${reason}`, network: false }
        : {
            message: `this endpoint needs a token: ${reason}`,
            fix: 'Paste a bearer token (or pick a demo token) and connect again.',
            network: false,
          };
    case 403:
      return { message: `forbidden: ${reason}`, network: false };
    case 404:
      return ctx.connected
        ? {
            message: `session not found (${reason}): the gateway closed it or reloaded without this backend. Connect again.`,
            network: false,
          }
        : { message: `no MCP endpoint at ${f?.url ?? 'this URL'} (404: ${reason})`, network: false };
    case 400:
      if (/mcp-session-id/i.test(reason)) {
        return {
          message: `the browser could not read the Mcp-Session-Id header of the gateway's answer (${reason})`,
          fix: 'Add exposeHeaders: ["Mcp-Session-Id"] to the route\'s cors policy.',
          network: false,
        };
      }
      return { message: `bad request: ${reason}`, network: false };
    case 406:
    case 415:
      return { message: `the gateway refused the request format (${status}: ${reason})`, network: false };
    case 429:
      return { message: `rate limited: ${reason}`, network: false };
    case 502:
    case 503:
    case 504:
      return { message: `the gateway could not reach the MCP server (${status}: ${reason})`, network: false };
  }
  if (rpc) return { message: `${rpc.message} (JSON-RPC ${rpc.code})`, network: false };
  return { message: stripSdkPrefix(raw), network: false };
}

/** Exact CORS advice from the admin server's preflight probe. */
export function corsAdvice(report: PreflightReport, endpoint: EndpointInfo | undefined): PlainError {
  const port = new URL(report.url).port || (report.url.startsWith('https') ? '443' : '80');
  if (!report.reachable) {
    return {
      message: `the gateway is not answering at ${report.url} (${report.error ?? 'no answer'}).`,
      fix: `Check that the gateway is running and listening on port ${port}.`,
      network: true,
    };
  }
  const route = endpoint ? `route ${endpoint.route}` : 'the route';
  const block = corsBlock(report.origin);
  const allowOrigin = report.allowOrigin ?? '';
  const originOk = allowOrigin === '*' || allowOrigin === report.origin;
  const allowHeaders = (report.allowHeaders ?? '').toLowerCase();
  const headersOk = ['authorization', 'content-type', 'mcp-protocol-version'].every(
    (h) => allowHeaders.includes(h) || allowHeaders.split(/\s*,\s*/).includes('*'),
  );
  if (!originOk) {
    return {
      message: `the browser blocked the request: ${route} does not allow this page's origin ${report.origin} (CORS).`,
      fix: `Add to the policies of ${route}:\n${block}`,
      network: true,
    };
  }
  if (!headersOk) {
    return {
      message: `the browser blocked the request: ${route} does not allow the headers the Playground sends (got Access-Control-Allow-Headers: ${report.allowHeaders ?? 'none'}).`,
      fix: `Use this cors policy on ${route}:\n${block}`,
      network: true,
    };
  }
  return {
    message: `the browser blocked the request to ${report.url}, although the gateway's CORS preflight looks right (status ${report.status ?? '?'}).`,
    fix: `Check the browser console; the route's cors policy should be:\n${block}`,
    network: true,
  };
}

export function corsBlock(origin: string): string {
  return [
    'cors:',
    `  allowOrigins: ["${origin}"]`,
    '  allowHeaders: ["authorization", "content-type", "mcp-protocol-version", "mcp-session-id", "last-event-id"]',
    '  allowMethods: ["GET", "POST", "DELETE"]',
    '  exposeHeaders: ["Mcp-Session-Id"]',
  ].join('\n');
}

function reasonOf(f: HttpFailure | undefined): string {
  if (!f) return '';
  const desc = /error_description="([^"]*)"/i.exec(f.wwwAuthenticate ?? '')?.[1];
  if (desc) return desc;
  const body = f.body.trim();
  if (!body) return '';
  try {
    const j = JSON.parse(body) as Record<string, unknown>;
    const e = j['error'];
    if (typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string') {
      return stripAuthPrefix((e as { message: string }).message);
    }
    for (const k of ['error_description', 'message', 'error'])
      if (typeof j[k] === 'string') return stripAuthPrefix(j[k] as string);
  } catch {
    // plain text body
  }
  return stripAuthPrefix(body.split('\n')[0] ?? '');
}

function stripAuthPrefix(s: string): string {
  return s.replace(/^authentication fail(ed|ure):\s*/i, '').replace(/^authorization failed:\s*/i, '');
}

function rpcError(err: unknown): { code: number; message: string } | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: unknown }).code;
  const m = /^MCP error (-?\d+): ([\s\S]*)$/.exec(err.message);
  if (m) return { code: Number(m[1]), message: m[2] ?? '' };
  if (typeof code === 'number' && code < 0) return { code, message: err.message };
  return undefined;
}

function rpcErrorFromBody(body: string | undefined): { code: number; message: string } | undefined {
  if (!body) return undefined;
  try {
    const j = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    if (typeof j.error?.code === 'number' && typeof j.error.message === 'string')
      return { code: j.error.code, message: j.error.message };
  } catch {
    // not JSON-RPC
  }
  return undefined;
}

function httpStatusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' && code >= 100 && code < 600 ? code : undefined;
}

function isNetworkError(message: string): boolean {
  return /failed to fetch|networkerror|load failed|network request failed/i.test(message);
}

function stripSdkPrefix(s: string): string {
  return s
    .replace(/^Streamable HTTP error: /, '')
    .replace(/^SSE error: /, '')
    .replace(/^Error POSTing to endpoint: /, '');
}
