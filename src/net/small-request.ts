/**
 * A bounded HTTP call for the few small outbound requests the gateway makes besides proxying (remote
 * JWKS, authorization server metadata, client registration, OpenAPI documents by URL): whole-call
 * timeout, body size cap, no redirects.
 */
import { request, type Dispatcher } from 'undici';

export interface SmallResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export interface SmallRequestOptions {
  readonly method?: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | string;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly dispatcher?: Dispatcher;
  /** Aborts the call early (e.g. the owner was closed). */
  readonly signal?: AbortSignal;
  /** The error for a body over `maxBytes` (default: a plain Error naming the size). */
  readonly tooLarge?: () => Error;
}

export async function smallRequest(url: string, opts: SmallRequestOptions): Promise<SmallResponse> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  const res = await request(url, {
    method: opts.method ?? 'GET',
    headers: opts.headers,
    body: opts.body,
    signal,
    ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
  });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > opts.maxBytes) {
      res.body.destroy();
      throw opts.tooLarge?.() ?? new Error(`response body larger than ${opts.maxBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) };
}

/** A short, single-line description of a failed call (no stack). */
export function describeError(e: unknown): string {
  if (e instanceof Error) {
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timed out';
    const code = (e as { code?: unknown }).code;
    const cause = (e as { cause?: unknown }).cause;
    const inner = cause instanceof Error ? `: ${cause.message}` : '';
    return `${typeof code === 'string' ? code + ' ' : ''}${e.message}${inner}`.trim();
  }
  return String(e);
}
