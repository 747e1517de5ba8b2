/**
 * The admin server (default localhost:15000): the UI under `/ui/` and the admin API. It translates HTTP
 * to `AdminBackend` calls and nothing else. Every request first passes `guard.ts` (Host, cross-site,
 * admin token). Loopback-only by default; on any other address it refuses to start without an admin
 * token (`token.ts`), since anyone who reaches the API can rewrite the config.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { LOG_LEVELS, type LogLevel } from './api.js';
import { BodyError, methodNotAllowed, readJson, sendError, sendJson } from './http.js';
import { listen, type ListenOptions, type RunningServer } from './listen.js';
import { createAdminGuard, type GuardRefusal } from './guard.js';
import { probePreflight } from './preflight.js';
import { redactIssue } from './redact-issues.js';
import { createUiSite } from './static.js';
import { uiRoutes } from './ui-routes.js';
import { ADMIN_TOKEN_ENV, ADMIN_TOKEN_FILE_ENV } from './token.js';
import { formatIssue } from '../config/errors.js';
import { isValidHostHeader } from '../net/host-header.js';
import { isLoopback } from '../net/loopback.js';
import { AdminError, hasConfigIssues, type AdminBackend } from './types.js';

export { startReadinessServer } from './readiness.js';
export type { ListenOptions, RunningServer } from './listen.js';

export interface AdminServerOptions extends ListenOptions {
  /** Folder of the built UI; default ui/dist of this package. */
  readonly uiDir?: string;
  /** Called with unexpected handler errors (the app logs them). Never receives request data. */
  readonly onError?: (err: unknown, route: string) => void;
  /** Called for each request refused before routing (bad request, Host, cross-site, token): a metric. */
  readonly onRefused?: (reason: 'bad_request' | GuardRefusal['reason']) => void;
  /** The admin bearer token (see token.ts). Required when `host` is not loopback. */
  readonly token?: string | undefined;
}

const MAX_CONFIG_BYTES = 1024 * 1024;

interface Ctx {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  /** The request carries the admin token. */
  readonly authenticated: boolean;
}
type Handler = (ctx: Ctx) => unknown;
type Routes = Record<string, Partial<Record<'GET' | 'POST', Handler>>>;

function apiRoutes(backend: AdminBackend, tokenSet: boolean): Routes {
  const json =
    (value: () => unknown): Handler =>
    ({ res }) =>
      sendJson(res, 200, value());
  return {
    '/config': {
      GET: json(() => backend.configJson()),
      POST: async ({ req, res, authenticated }) => {
        await backend.writeConfig(await readJson(req, MAX_CONFIG_BYTES), { authenticated });
        sendJson(res, 200, {
          status: 'success',
          message: 'Configuration written and applied.',
        });
      },
    },
    '/config_dump': { GET: json(() => backend.configDump()) },
    '/api/summary': { GET: json(() => backend.summary()) },
    '/api/sessions': { GET: json(() => backend.sessions()) },
    '/api/endpoints': { GET: json(() => backend.endpoints()) },
    '/api/demo-tokens': { GET: json(() => backend.demoTokens()) },
    '/api/reload': { GET: json(() => backend.reloadStatus()) },
    '/api/ready': { GET: json(() => backend.ready()) },
    '/api/explain': {
      GET: async ({ req, res, url }) => {
        // The identity to explain: X-Explain-Token, else (without an admin token, which then owns the
        // Authorization header) Authorization, else ?token=.
        const token =
          header(req, 'x-explain-token') ??
          (tokenSet ? undefined : bearer(req.headers.authorization)) ??
          (url.searchParams.get('token') || undefined);
        const tool = url.searchParams.get('tool') || undefined;
        const route = url.searchParams.get('route') || undefined;
        const result = await backend.explain(token, {
          ...(tool ? { tool } : {}),
          ...(route ? { route } : {}),
        });
        sendJson(res, 200, result);
      },
    },
    '/api/preflight': {
      GET: async ({ res, url }) => {
        const target = url.searchParams.get('url') ?? '';
        const known = backend.endpoints().some((e) => e.url === target || e.sseUrl === target);
        if (!known) throw new AdminError(400, 'url must be one of the endpoints listed by /api/endpoints');
        const origin = url.searchParams.get('origin') || `http://${url.host}`;
        const headers = url.searchParams.get('headers') || 'authorization,content-type,mcp-protocol-version';
        sendJson(res, 200, await probePreflight(target, origin, headers));
      },
    },
    '/logging': {
      GET: json(() => ({ level: backend.logLevel() })),
      POST: ({ res, url }) => {
        const level = url.searchParams.get('level') ?? '';
        if (!(LOG_LEVELS as readonly string[]).includes(level)) {
          throw new AdminError(400, `level must be one of ${LOG_LEVELS.join(', ')}`);
        }
        backend.setLogLevel(level as LogLevel);
        sendJson(res, 200, { level });
      },
    },
    '/quitquitquit': {
      POST: ({ res }) => {
        res.on('finish', () => backend.quit());
        sendJson(res, 200, { status: 'quitting' });
      },
    },
  };
}

export async function startAdminServer(
  backend: AdminBackend,
  opts: AdminServerOptions = {},
): Promise<RunningServer> {
  const host = opts.host ?? 'localhost';
  if (!isLoopback(host) && !opts.token) {
    throw new Error(
      `the admin API would listen on ${host}, beyond loopback, without a token: set ${ADMIN_TOKEN_ENV} ` +
        `or ${ADMIN_TOKEN_FILE_ENV}, or bind config.adminAddr (ADMIN_ADDR) to localhost`,
    );
  }
  const routes = {
    ...apiRoutes(backend, opts.token !== undefined),
    ...uiRoutes(backend, { maxConfigBytes: MAX_CONFIG_BYTES }),
  };
  const site = createUiSite(opts.uiDir);
  const guard = createAdminGuard(host, opts.token);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestUrl(req);
    if (!url) {
      opts.onRefused?.('bad_request');
      return sendError(res, 400, 'bad request: invalid Host header or request target');
    }
    const path = url.pathname;
    const ui = path === '/' || path === '/ui' || path.startsWith('/ui/');
    const refused = guard.check(req, url.hostname, ui);
    if (refused) {
      opts.onRefused?.(refused.reason);
      return sendError(res, refused.status, refused.message, {}, refused.headers);
    }
    if (path === '/' || path === '/ui') {
      res.writeHead(308, { location: '/ui/', 'content-length': '0' });
      res.end();
      return;
    }
    if (path.startsWith('/ui/')) return site.serve(req, res, rawPath(req.url ?? '/').slice('/ui'.length));
    const route = routes[path];
    if (!route) return sendError(res, 404, `not found: ${path}`);
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const handler = method === 'GET' || method === 'POST' ? route[method] : undefined;
    if (!handler) return methodNotAllowed(res, Object.keys(route));
    try {
      await handler({ req, res, url, authenticated: guard.authenticated(req) });
    } catch (e) {
      if (res.headersSent) return void res.destroy();
      if (e instanceof AdminError || e instanceof BodyError) return sendError(res, e.status, e.message);
      if (hasConfigIssues(e)) {
        const issues = e.issues.map(redactIssue);
        // The error's own message lists the issues as they were: rebuild it when one was redacted.
        const redacted = issues.some((issue, i) => issue !== e.issues[i]);
        const message = redacted ? issues.map(formatIssue).join('\n') : e.message;
        return sendError(res, 400, message, { issues });
      }
      opts.onError?.(e, path);
      sendError(res, 500, e instanceof Error ? e.message : String(e));
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      opts.onError?.(e, 'admin');
      if (!res.headersSent) sendError(res, 500, 'internal error');
      else res.destroy();
    });
  });
  return listen(server, host, opts.port ?? 15000);
}

function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** The request URL, or undefined when the Host or the request target does not parse. */
function requestUrl(req: IncomingMessage): URL | undefined {
  const target = req.url ?? '/';
  const host = req.headers.host ?? 'localhost';
  if (!target.startsWith('/') || !isValidHostHeader(host)) return undefined;
  try {
    return new URL(`http://${host}${target}`);
  } catch {
    return undefined;
  }
}

/** The request path without the query, still percent-encoded (the static server decodes it once). */
function rawPath(reqUrl: string): string {
  const q = reqUrl.indexOf('?');
  return q === -1 ? reqUrl : reqUrl.slice(0, q);
}
