import { Agent } from 'undici';
import type { UpstreamTls } from './upstream.js';

export interface PoolOptions {
  /** How long an idle keep-alive connection is kept open. */
  readonly idleTimeoutMs: number;
  /** Most connections per origin; undefined = unlimited (undici's default). */
  readonly maxConnections?: number | undefined;
}

/**
 * Keep-alive connection pools for HTTP upstreams: one undici `Agent` per origin, connect timeout and TLS
 * settings (two routes that trust different CAs never share a connection). The
 * factory owns this object across config reloads, so a target whose origin is unchanged keeps its warm
 * connections. Per-request timeouts (headers) are set on each request, not here.
 */
export class HttpPools {
  readonly #agents = new Map<string, Agent>();
  readonly #opts: PoolOptions;
  #closed = false;

  constructor(opts: PoolOptions) {
    this.#opts = opts;
  }

  /** The Agent for `url`'s origin; `tls` applies to https origins only. */
  get(url: URL, connectTimeoutMs: number, tls?: UpstreamTls): Agent {
    if (this.#closed) throw new Error('upstream connection pools are closed');
    const secure = url.protocol === 'https:' ? tls : undefined;
    const key = `${url.origin}|${connectTimeoutMs}|${secure?.key ?? ''}`;
    let agent = this.#agents.get(key);
    if (!agent) {
      agent = new Agent({
        connect: { ...secure?.connect, timeout: connectTimeoutMs },
        ...(this.#opts.maxConnections !== undefined ? { connections: this.#opts.maxConnections } : {}),
        keepAliveTimeout: this.#opts.idleTimeoutMs,
        keepAliveMaxTimeout: Math.max(this.#opts.idleTimeoutMs, 1000),
        // Streams (SSE) may stay quiet for minutes: no body timeout at the pool level.
        bodyTimeout: 0,
      });
      this.#agents.set(key, agent);
    }
    return agent;
  }

  get size(): number {
    return this.#agents.size;
  }

  /** Close every pool; in-flight requests are aborted (`destroy`) rather than waited for. */
  async close(): Promise<void> {
    this.#closed = true;
    const agents = [...this.#agents.values()];
    this.#agents.clear();
    await Promise.all(agents.map((a) => a.destroy().catch(() => undefined)));
  }
}
