/**
 * Admin API routes the UI's editor, Backends page and "Connect a client" panel use:
 * - `GET /config/yaml` — the config file as YAML text, secrets redacted in place (./config-yaml.ts);
 * - `POST /config/yaml[?dryRun=1]` — an edited YAML text (`Content-Type: application/yaml`): validated
 *   like a reload, then written (not with dryRun); `400 {issues}` cite the posted text's lines;
 * - `GET /api/sessions/page?offset=&limit=` — one page of the open sessions, newest activity first;
 * - `POST /api/sessions/close?id=` — end one session on the gateway (its client then gets 404);
 * - `GET /api/client-snippets?url=` — client set-ups for one endpoint (./client-snippets-api.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SessionPage } from './api.js';
import { basicSnippets, type ClientSnippetGenerator } from './client-snippets-api.js';
import { BodyError, readBody, sendJson, sendText } from './http.js';
import { AdminError, type AdminBackend } from './types.js';

interface Ctx {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  /** The request carries the admin token. */
  readonly authenticated: boolean;
}
type Routes = Record<string, Partial<Record<'GET' | 'POST', (ctx: Ctx) => unknown>>>;

export const SESSION_PAGE_DEFAULT = 20;
export const SESSION_PAGE_MAX = 100;
const YAML_TYPE = /^(application|text)\/(x-)?yaml\b/i;

export function uiRoutes(
  backend: AdminBackend,
  opts: { readonly maxConfigBytes: number; readonly snippets?: ClientSnippetGenerator },
): Routes {
  const snippets = opts.snippets ?? basicSnippets;
  return {
    '/config/yaml': {
      GET: ({ res }) => {
        if (!backend.configYaml) throw new AdminError(404, 'this gateway does not serve its config as YAML');
        sendText(res, 200, backend.configYaml(), { 'content-type': 'application/yaml; charset=utf-8' });
      },
      POST: async ({ req, res, url, authenticated }) => {
        if (!backend.writeConfigYaml) throw new AdminError(404, 'this gateway does not accept YAML config');
        if (!YAML_TYPE.test(String(req.headers['content-type'] ?? '')))
          throw new BodyError(415, 'expected Content-Type: application/yaml');
        const text = (await readBody(req, opts.maxConfigBytes)).toString('utf8');
        const dryRun = url.searchParams.get('dryRun') === '1';
        await backend.writeConfigYaml(text, { dryRun, authenticated });
        sendJson(res, 200, {
          status: 'success',
          message: dryRun ? 'The config is valid.' : 'Configuration written and applied.',
        });
      },
    },
    '/api/sessions/page': {
      GET: ({ res, url }) => {
        const offset = intParam(url, 'offset', 0, Number.MAX_SAFE_INTEGER);
        const limit = intParam(url, 'limit', SESSION_PAGE_DEFAULT, SESSION_PAGE_MAX);
        const all = [...backend.sessions()].sort((a, b) => b.lastActiveAt - a.lastActiveAt);
        const page: SessionPage = {
          total: all.length,
          offset,
          limit,
          sessions: all.slice(offset, offset + limit),
        };
        sendJson(res, 200, page);
      },
    },
    '/api/sessions/close': {
      POST: async ({ res, url }) => {
        const id = url.searchParams.get('id') ?? '';
        if (!id) throw new AdminError(400, 'id is required');
        if (!backend.closeSession) throw new AdminError(404, 'this gateway cannot close sessions');
        if (!(await backend.closeSession(id))) throw new AdminError(404, 'no open session with this id');
        sendJson(res, 200, { status: 'closed' });
      },
    },
    '/api/client-snippets': {
      GET: ({ req, res, url }) => {
        const target = url.searchParams.get('url') ?? '';
        const known = backend.endpoints().some((e) => e.kind === 'mcp' && e.url === target);
        if (!known)
          throw new AdminError(400, 'url must be one of the MCP endpoints listed by /api/endpoints');
        // The MCP token to put in the snippets; Authorization carries the admin token, never this.
        const h = req.headers['x-explain-token'];
        const token = (Array.isArray(h) ? h[0] : h)?.trim() || undefined;
        sendJson(res, 200, snippets(target, token));
      },
    },
  };
}

function intParam(url: URL, name: string, fallback: number, max: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new AdminError(400, `${name} must be a whole number ≥ 0`);
  return Math.min(n, max);
}
