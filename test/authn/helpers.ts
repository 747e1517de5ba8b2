/** Shared pieces of the authentication tests: real keys, real tokens, a build context, real servers. */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import {
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import type { ConfigPath } from '../../src/config/types.js';
import type { BuildContext } from '../../src/contracts/build-context.js';
import type { AuthnLogger } from '../../src/policies/jwt/deps.js';
import type { AccessLogFields, RequestContext } from '../../src/contracts/request-context.js';

export const ISSUER = 'https://issuer.test';
export const AUDIENCE = 'portcullis.test';
export const AT: ConfigPath = ['binds', 0, 'listeners', 0, 'routes', 0, 'policies', 'jwtAuth'];

export interface TestBuildContext extends BuildContext {
  readonly warnings: string[];
  readonly files: string[];
}

/** Errors read `<path>: <message>` so tests can assert both the location and the reason. */
export function buildContext(baseDir = process.cwd()): TestBuildContext {
  const warnings: string[] = [];
  const files: string[] = [];
  const error = (at: ConfigPath, message: string): Error => new Error(`${at.join('.')}: ${message}`);
  return {
    warnings,
    files,
    readFile(path, at) {
      const full = resolve(baseDir, path);
      files.push(full);
      try {
        return readFileSync(full, 'utf8');
      } catch (e) {
        throw error(at, `cannot read ${path}: ${(e as NodeJS.ErrnoException).code}`);
      }
    },
    error,
    locate: (at) => at.join('.'),
    warn: (at, message) => warnings.push(`${at.join('.')}: ${message}`),
  };
}

export type TestAlg =
  'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA';

export interface TestKey {
  readonly alg: TestAlg;
  readonly kid: string | undefined;
  readonly privateKey: CryptoKey;
  /** To sign with another algorithm of the same key type (an RSA key signs RS256…PS512). */
  readonly privateJwk: JWK;
  /** Public JWK as published (kid set; `alg` only when asked). */
  readonly jwk: JWK;
}

export async function makeKey(
  alg: TestAlg,
  kid: string | undefined,
  opts: { withAlg?: boolean } = {},
): Promise<TestKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const raw = await exportJWK(publicKey);
  const jwk: JWK = { ...raw, use: 'sig', ...(kid ? { kid } : {}), ...(opts.withAlg ? { alg } : {}) };
  return { alg, kid, privateKey, privateJwk: await exportJWK(privateKey), jwk };
}

export function jwksText(...keys: (TestKey | JWK)[]): string {
  return JSON.stringify({ keys: keys.map((k) => ('privateKey' in k ? k.jwk : k)) });
}

export const nowSec = (): number => Math.floor(Date.now() / 1000);

export interface TokenOptions {
  /** Claims to set; `undefined` values remove the default claim. */
  readonly claims?: Record<string, unknown>;
  readonly header?: Record<string, unknown>;
  readonly alg?: string;
}

/** A token signed by `key` with iss/aud/sub/iat/exp defaults (exp in one hour). */
export async function signToken(key: TestKey, opts: TokenOptions = {}): Promise<string> {
  const now = nowSec();
  const claims: Record<string, unknown> = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'alice',
    iat: now,
    exp: now + 3600,
  };
  for (const [k, v] of Object.entries(opts.claims ?? {})) {
    if (v === undefined) delete claims[k];
    else claims[k] = v;
  }
  const alg = opts.alg ?? key.alg;
  const header = { alg, ...(key.kid ? { kid: key.kid } : {}), typ: 'JWT', ...opts.header };
  const signer = alg === key.alg ? key.privateKey : ((await importJWK(key.privateJwk, alg)) as CryptoKey);
  return new SignJWT(claims as JWTPayload).setProtectedHeader(header as { alg: string }).sign(signer);
}

/** A request as the authenticator sees it (`rawHeaders` like node's, so duplicates are visible). */
export function request(...authorization: string[]): {
  headers: Record<string, string>;
  rawHeaders: string[];
} {
  const headers: Record<string, string> = {};
  const rawHeaders: string[] = ['Host', 'gw.test'];
  if (authorization[0] !== undefined) headers.authorization = authorization[0];
  for (const a of authorization) rawHeaders.push('Authorization', a);
  return { headers, rawHeaders };
}

export const bearer = (token: string): ReturnType<typeof request> => request(`Bearer ${token}`);

export interface MemoryLogger extends AuthnLogger {
  readonly lines: { level: 'info' | 'warn'; fields: Record<string, unknown>; msg: string }[];
  text(): string;
}

export function memoryLogger(): MemoryLogger {
  const lines: MemoryLogger['lines'] = [];
  return {
    lines,
    info: (fields, msg) => lines.push({ level: 'info', fields: fields as Record<string, unknown>, msg }),
    warn: (fields, msg) => lines.push({ level: 'warn', fields: fields as Record<string, unknown>, msg }),
    text: () => JSON.stringify(lines),
  };
}

/** A settable clock for exp/nbf and the refetch cooldown. */
export function fakeClock(start = Date.now()): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

export interface TestServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startServer(handler: RequestListener, port = 0): Promise<TestServer> {
  const server = createServer(handler);
  await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** The typed request context the gateway's listener would build (enough for mcpAuthentication). */
export function requestContext(req: IncomingMessage, res: ServerResponse): RequestContext {
  const host = req.headers.host ?? 'localhost';
  const url = new URL(req.url ?? '/', `http://${host}`);
  const log: AccessLogFields = {};
  return {
    req,
    res,
    url,
    request: { method: req.method ?? 'GET', path: url.pathname, host, scheme: 'http', headers: {} },
    source: { address: req.socket.remoteAddress ?? '', port: req.socket.remotePort ?? 0 },
    startedAt: 0,
    identity: null,
    upstreamHeaders: {},
    signal: new AbortController().signal,
    backendRequestTimeoutMs: undefined,
    log,
    traceparent: undefined,
  };
}

/** Poll `check` until it holds or the deadline passes (never a bare sleep as an assertion). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, 20));
  }
}
