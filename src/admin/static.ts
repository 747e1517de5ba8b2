/**
 * Serves the built UI (ui/dist) under `/ui/`: correct MIME types, SPA fallback to index.html for
 * extension-less paths, no escape from the folder (`..`, encoded or not, and symlinks), long cache for
 * Vite's hashed assets and revalidation for everything else.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, isAbsolute, join, posix, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { methodNotAllowed, sendText } from './http.js';

/** ui/dist relative to this file: the same from src/admin (tsx) and dist/admin (built). */
export const DEFAULT_UI_DIR = fileURLToPath(new URL('../../ui/dist', import.meta.url));

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const HTML_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
    "media-src 'self' data: blob:; connect-src *; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

export interface UiSite {
  /** `subpath` is the URL path after `/ui` (starts with `/`, still percent-encoded). */
  serve(req: IncomingMessage, res: ServerResponse, subpath: string): Promise<void>;
}

export function createUiSite(dir: string = DEFAULT_UI_DIR): UiSite {
  const root = resolve(dir);
  let realRoot: Promise<string> | undefined;
  const rootReal = (): Promise<string> => (realRoot ??= realpath(root).catch(() => root));

  async function resolveFile(subpath: string): Promise<string | 'bad' | undefined> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(subpath);
    } catch {
      return 'bad';
    }
    if (decoded.includes('\0') || decoded.includes('\\')) return 'bad';
    const normalized = posix.normalize('/' + decoded);
    const full = resolve(root, '.' + normalized);
    if (!inside(root, full)) return 'bad';
    if (normalized.split('/').some((seg) => seg.startsWith('.') && seg.length > 0)) return undefined;
    const candidates = normalized.endsWith('/')
      ? [join(full, 'index.html')]
      : [full, join(full, 'index.html')];
    for (const c of candidates) {
      const s = await stat(c).catch(() => undefined);
      if (!s?.isFile()) continue;
      const real = await realpath(c);
      if (!inside(await rootReal(), real)) return 'bad';
      return c;
    }
    // SPA fallback: client-side routes have no extension (`/ui/playground/`, `/ui/routes`).
    if (extname(normalized) === '') {
      const index = join(root, 'index.html');
      if ((await stat(index).catch(() => undefined))?.isFile()) return index;
    }
    return undefined;
  }

  return {
    async serve(req, res, subpath) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, ['GET', 'HEAD']);
      const file = await resolveFile(subpath);
      if (file === 'bad') return sendText(res, 400, 'bad path\n');
      if (file === undefined) {
        const built = await stat(join(root, 'index.html')).catch(() => undefined);
        if (!built) return sendText(res, 503, 'The UI is not built: run `npm run build:ui`.\n');
        return sendText(res, 404, 'not found\n');
      }
      const s = await stat(file);
      const etag = `W/"${s.size.toString(16)}-${Math.floor(s.mtimeMs).toString(16)}"`;
      const rel = relative(root, file).split('\\').join('/');
      const ext = extname(file).toLowerCase();
      const headers: Record<string, string> = {
        'content-type': MIME[ext] ?? 'application/octet-stream',
        'x-content-type-options': 'nosniff',
        etag,
        'cache-control': rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        ...(ext === '.html' ? HTML_HEADERS : {}),
      };
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, headers);
        res.end();
        return;
      }
      res.writeHead(200, { ...headers, 'content-length': String(s.size) });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      await pipeline(createReadStream(file), res).catch(() => res.destroy());
    },
  };
}

function inside(root: string, full: string): boolean {
  const rel = relative(root, full);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
