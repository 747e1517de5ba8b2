/**
 * A CORS preflight sent by the admin server to a gateway endpoint on behalf of the Playground: a browser
 * only says "Failed to fetch", this says whether the gateway is reachable and what its CORS answer is,
 * so the UI can name the exact `cors` settings to add.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { PreflightReport } from './api.js';

export function probePreflight(
  url: string,
  origin: string,
  requestHeaders: string,
  timeoutMs = 3000,
): Promise<PreflightReport> {
  return new Promise((done) => {
    const u = new URL(url);
    const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(
      u,
      {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': requestHeaders,
        },
        timeout: timeoutMs,
        // The Playground talks to the gateway's own listeners; self-signed certs are common there.
        rejectUnauthorized: false,
      },
      (res) => {
        res.resume();
        const h = (name: string): Record<string, string> => {
          const v = res.headers[name];
          return v === undefined ? {} : { [camel(name)]: Array.isArray(v) ? v.join(', ') : v };
        };
        done({
          url,
          origin,
          reachable: true,
          status: res.statusCode ?? 0,
          ...h('access-control-allow-origin'),
          ...h('access-control-allow-headers'),
          ...h('access-control-allow-methods'),
          ...h('access-control-expose-headers'),
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e: NodeJS.ErrnoException) =>
      done({ url, origin, reachable: false, error: e.code ?? e.message }),
    );
    req.end();
  });
}

function camel(header: string): string {
  // access-control-allow-origin → allowOrigin
  const rest = header.replace(/^access-control-/, '');
  return rest.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}
