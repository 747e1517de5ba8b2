/**
 * The admin server (default localhost:15000): the UI under `/ui/` and the admin API. It translates HTTP
 * to `AdminBackend` calls and nothing else. Loopback-only by default; requests whose Host is not a
 * loopback name are refused (DNS rebinding), and state-changing requests from another origin are refused
 * (CSRF: a web page must not be able to POST /quitquitquit to your gateway).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { LOG_LEVELS, type LogLevel } from './api.js';
import { BodyError, methodNotAllowed, readJson, sendError, sendJson } from './http.js';
import { listen, type ListenOptions, type RunningServer } from './listen.js';
import { probePreflight } from './preflight.js';
import { createUiSite } from './static.js';
import { uiRoutes } from './ui-routes.js';
import { AdminError, hasConfigIssues, type AdminBackend } from './types.js';

export { startReadinessServer } from './readiness.js';
export type { ListenOptions, RunningServer } from './listen.js';

export interface AdminServerOptions extends ListenOptions {
  /** Folder of the built UI; default ui/dist of this package. */
  readonly uiDir?: string;
  /** Called with unexpected handler errors (the app logs them). Never receives request data. */
  readonly onError?: (err: unknown, route: string) => void;
}

const MAX_CONFIG_BYTES = 1024 * 1024;
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

interface Ctx {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
}
type Handler = (ctx: Ctx) => unknown;
type Routes = Record<string, Partial<Record<'GET' | 'POST', Handler>>>;

function apiRoutes(backend: AdminBackend): Routes {
  const json =
    (value: () => unknown): Handler =>
    ({ res }) =>
      sendJson(res, 200, value());
  return {
    '/config': {
      GET: json(() => backend.configJson()),
      POST: async ({ req, res }) => {
        await backend.writeConfig(await readJson(req, MAX_CONFIG_BYTES));
        sendJson(res, 200, {
          status: 'success',
          message: 'Configuration written; the gateway reloads it now.',
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
        const token = bearer(req.headers.authorization) ?? (url.searchParams.get('token') || undefined);
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
  const routes = { ...apiRoutes(backend), ...uiRoutes(backend, { maxConfigBytes: MAX_CONFIG_BYTES }) };
  const site = createUiSite(opts.uiDir);
  const loopbackOnly = isLoopback(host);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    if (loopbackOnly && !LOOPBACK_NAMES.has(url.hostname) && !url.hostname.endsWith('.localhost')) {
      return sendError(res, 421, `the admin server answers only to localhost, not to Host ${url.hostname}`);
    }
    const path = url.pathname;
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
    if (method === 'POST' && crossOrigin(req)) {
      return sendError(
        res,
        403,
        'cross-origin request refused: the admin API accepts changes only from its own UI',
      );
    }
    try {
      await handler({ req, res, url });
    } catch (e) {
      if (res.headersSent) return void res.destroy();
      if (e instanceof AdminError || e instanceof BodyError) return sendError(res, e.status, e.message);
      if (hasConfigIssues(e)) return sendError(res, 400, e.message, { issues: e.issues });
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

function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || host.startsWith('127.');
}

/** A browser request from another site (Origin differs from Host, or Sec-Fetch-Site says so). */
function crossOrigin(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return true;
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

/** The request path without the query, still percent-encoded (the static server decodes it once). */
function rawPath(reqUrl: string): string {
  const q = reqUrl.indexOf('?');
  return q === -1 ? reqUrl : reqUrl.slice(0, q);
}
